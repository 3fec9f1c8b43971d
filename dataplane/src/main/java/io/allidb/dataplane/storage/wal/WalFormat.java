package io.allidb.dataplane.storage.wal;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import io.allidb.dataplane.storage.row.CorruptRowException;
import io.allidb.dataplane.storage.row.Row;
import io.allidb.dataplane.storage.row.RowCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * The on-disk layout of the write-ahead log, format version 2. Stateless; all methods are
 * thread-safe.
 *
 * <p>The log is a sequence of segment files named {@code wal-<seq>.log}, {@code seq} a positive
 * long zero-padded to 20 digits so that name order is numeric order. Segment seqs start at 1 and
 * only grow; a segment is never appended to after its writer closed it. All multi-byte integers are
 * big-endian.
 *
 * <pre>
 * Segment header (24 bytes)
 *   u32  magic      0x414C5741 ("ALWA")
 *   u16  version    2
 *   u16  reserved   0
 *   u64  seq        the segment's seq, equal to the one in the file name
 *   u32  reserved   0
 *   u32  crc        CRC32C of the preceding 20 bytes
 *
 * Sync sections, back to back until the end of the file
 *   u32  marker     0x414C5753 ("ALWS")
 *   u32  length     bytes of records that follow, &gt;= {@link #RECORD_HEADER_BYTES} + 1
 *   u64  ordinal    1 for the segment's first section, then +1 per section
 *   u32  crc        CRC32C of the preceding 16 bytes
 *   ...  records    exactly {@code length} bytes of whole records
 *
 * Record
 *   u32  length     payload length in bytes, 1..{@link #MAX_PAYLOAD_BYTES}
 *   u32  crc        CRC32C over the type byte followed by the payload
 *   u8   type       1 = ROW_BATCH
 *   ...  payload
 *
 * ROW_BATCH payload
 *   varint count    number of rows, &gt;= 1
 *   count rows      each encoded by {@link RowCodec#write}
 * </pre>
 *
 * <p>A record is the unit of atomicity: one {@code append} call writes one record, and replay
 * applies a record whole or not at all. A section is the unit of durability: the writer's sync
 * thread writes each commit group as one section, header first, and fsyncs it as a whole.
 *
 * <p>Why sections exist: after a power loss (unlike a process crash) the pages of a write whose
 * fsync had not returned can reach the disk in any order, so the last group may hold an intact
 * record after a garbage one. Record framing alone cannot tell that torn tail from corruption of
 * acknowledged data. Sections can, thanks to this invariant of the writer: in {@code SYNC} and
 * {@code PERIODIC} mode, the bytes of section N+1 (and of any later segment) are written only after
 * the fsync of section N returned. So a valid section header after section N proves section N was
 * durable and damage inside it is real corruption, while damage in the last section is a torn tail:
 * that section's fsync never returned, so none of it was acknowledged in {@code SYNC} mode, and
 * replay drops it whole. In {@code NONE} mode nothing is fsynced, so a power loss can leave a
 * damaged section followed by a valid one, which replay reports as corruption; a process crash
 * never reorders pages and always leaves a clean tail, in every mode.
 *
 * <p>There is no padding and no preallocation, so the end of the last section is the end of the
 * file unless a write was torn. A segment is only ever switched between sections.
 */
public final class WalFormat {
  /**
   * "ALWA" in ASCII. A fixed magic lets replay tell a WAL segment from a stray or zero-filled file
   * before trusting its seq, and makes the files recognizable in a hex dump.
   */
  public static final int MAGIC = 0x414C5741;

  /** Current (and only readable) format version. Version 1 had no sync sections. */
  public static final short VERSION = 2;

  /** Size of the segment header. */
  public static final int HEADER_BYTES = 24;

  /** "ALWS" in ASCII: the first bytes of every sync section header. */
  public static final int SECTION_MARKER = 0x414C5753;

  /** Size of a sync section header: marker, length, ordinal, crc. */
  public static final int SECTION_HEADER_BYTES = 20;

  /** Size of a record's framing before the payload: length, crc, type. */
  public static final int RECORD_HEADER_BYTES = 9;

  /** Record type of a batch of rows. */
  public static final byte TYPE_ROW_BATCH = 1;

  /**
   * Largest payload of one record. It bounds the memory replay allocates for a length read from a
   * possibly corrupt file; a length above it is corruption, not a reason to allocate.
   */
  public static final int MAX_PAYLOAD_BYTES = 64 << 20;

  private static final Pattern NAME = Pattern.compile("wal-(\\d{20})\\.log");

  private WalFormat() {}

  /** File name of the segment with the given seq. */
  public static String fileName(long seq) {
    if (seq < 1) {
      throw new IllegalArgumentException("segment seq must be >= 1; got " + seq);
    }
    return String.format("wal-%020d.log", seq);
  }

  /** The seq of a segment file, or -1 when the name is not a WAL segment name. */
  public static long parseSeq(Path file) {
    var m = NAME.matcher(file.getFileName().toString());
    if (!m.matches()) {
      return -1;
    }
    try {
      long seq = Long.parseLong(m.group(1));
      return seq >= 1 ? seq : -1;
    } catch (NumberFormatException e) {
      return -1; // 20 digits can exceed Long.MAX_VALUE
    }
  }

  /** The header of a segment, ready to write. */
  public static ByteBuffer header(long seq) {
    var buf = ByteBuffer.allocate(HEADER_BYTES); // big-endian by default
    buf.putInt(MAGIC).putShort(VERSION).putShort((short) 0).putLong(seq).putInt(0);
    var crc = new CRC32C();
    crc.update(buf.array(), 0, HEADER_BYTES - 4);
    buf.putInt((int) crc.getValue());
    return buf.flip();
  }

  /**
   * Checks a segment header.
   *
   * @return null when valid, otherwise the reason it is not
   * @throws IOException when the header is intact but of another format version: that is not
   *     damage, so it must not be skipped or truncated like damage
   */
  static String checkHeader(Path file, byte[] data, int length, long expectedSeq)
      throws IOException {
    if (length < HEADER_BYTES) {
      return "segment header torn: file has " + length + " of " + HEADER_BYTES + " bytes";
    }
    var buf = ByteBuffer.wrap(data, 0, HEADER_BYTES);
    int magic = buf.getInt();
    short version = buf.getShort();
    buf.getShort();
    long seq = buf.getLong();
    buf.getInt();
    int storedCrc = buf.getInt();
    var crc = new CRC32C();
    crc.update(data, 0, HEADER_BYTES - 4);
    if ((int) crc.getValue() != storedCrc) {
      return "segment header checksum mismatch";
    }
    if (magic != MAGIC) {
      return "bad segment magic 0x" + Integer.toHexString(magic);
    }
    if (version != VERSION) {
      throw new IOException(
          "WAL segment "
              + file
              + " has format version "
              + version
              + "; this build reads only version "
              + VERSION
              + " (version 1 was never released). Move the WAL directory aside to start");
    }
    if (seq != expectedSeq) {
      return "segment header seq " + seq + " does not match file name seq " + expectedSeq;
    }
    return null;
  }

  /**
   * Writes a sync section header for {@code length} bytes of records at {@code offset} of {@code
   * dest}.
   */
  static void putSectionHeader(byte[] dest, int offset, int length, long ordinal) {
    ByteBuffer.wrap(dest, offset, SECTION_HEADER_BYTES)
        .putInt(SECTION_MARKER)
        .putInt(length)
        .putLong(ordinal);
    var crc = new CRC32C();
    crc.update(dest, offset, SECTION_HEADER_BYTES - 4);
    ByteBuffer.wrap(dest, offset + SECTION_HEADER_BYTES - 4, 4).putInt((int) crc.getValue());
  }

  /** A sync section header, ready to write. */
  public static byte[] sectionHeader(int length, long ordinal) {
    byte[] header = new byte[SECTION_HEADER_BYTES];
    putSectionHeader(header, 0, length, ordinal);
    return header;
  }

  /**
   * Checks the section header at {@code pos}: complete, marker and checksum right, length
   * plausible. It does not check that the section's records are all present.
   *
   * @return null when valid, otherwise the reason it is not
   */
  static String checkSectionHeader(byte[] data, int len, int pos) {
    int available = len - pos;
    if (available < SECTION_HEADER_BYTES) {
      return "torn section header: " + available + " of " + SECTION_HEADER_BYTES + " bytes";
    }
    if (readInt(data, pos) != SECTION_MARKER) {
      return "bad section marker 0x" + Integer.toHexString(readInt(data, pos));
    }
    var crc = new CRC32C();
    crc.update(data, pos, SECTION_HEADER_BYTES - 4);
    if ((int) crc.getValue() != readInt(data, pos + SECTION_HEADER_BYTES - 4)) {
      return "section header checksum mismatch";
    }
    int length = sectionLength(data, pos);
    if (length <= RECORD_HEADER_BYTES) {
      return "implausible section length " + Integer.toUnsignedString(length);
    }
    return null;
  }

  /** The record bytes of the section whose header starts at {@code pos}. */
  static int sectionLength(byte[] data, int pos) {
    return readInt(data, pos + 4);
  }

  /** The ordinal of the section whose header starts at {@code pos}. */
  static long sectionOrdinal(byte[] data, int pos) {
    return ByteBuffer.wrap(data, pos + 8, 8).getLong();
  }

  /**
   * Encodes a batch as one complete ROW_BATCH record (framing included).
   *
   * @throws IllegalArgumentException when the batch is empty or its payload exceeds {@link
   *     #MAX_PAYLOAD_BYTES}
   */
  public static byte[] encodeBatch(List<Row> rows) {
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("a WAL batch needs at least one row");
    }
    long payload = CodedOutputStream.computeUInt32SizeNoTag(rows.size());
    for (Row row : rows) {
      payload += RowCodec.encodedSize(row);
    }
    if (payload > MAX_PAYLOAD_BYTES) {
      throw new IllegalArgumentException(
          "WAL batch of "
              + payload
              + " bytes exceeds the maximum record size of "
              + MAX_PAYLOAD_BYTES
              + " bytes; split it");
    }
    byte[] record = new byte[RECORD_HEADER_BYTES + (int) payload];
    var out = CodedOutputStream.newInstance(record, RECORD_HEADER_BYTES, (int) payload);
    try {
      out.writeUInt32NoTag(rows.size());
      for (Row row : rows) {
        RowCodec.write(row, out);
      }
    } catch (IOException e) {
      throw new IllegalStateException("encoding into an exactly sized array cannot fail", e);
    }
    out.checkNoSpaceLeft();
    record[RECORD_HEADER_BYTES - 1] = TYPE_ROW_BATCH;
    var crc = new CRC32C();
    crc.update(record, RECORD_HEADER_BYTES - 1, record.length - RECORD_HEADER_BYTES + 1);
    ByteBuffer.wrap(record).putInt((int) payload).putInt((int) crc.getValue());
    return record;
  }

  /** Reads a big-endian u32 at an offset. */
  static int readInt(byte[] data, int offset) {
    return ((data[offset] & 0xFF) << 24)
        | ((data[offset + 1] & 0xFF) << 16)
        | ((data[offset + 2] & 0xFF) << 8)
        | (data[offset + 3] & 0xFF);
  }

  /**
   * Decodes a ROW_BATCH payload.
   *
   * @throws CorruptRowException when the payload does not decode to exactly {@code count} rows
   */
  static List<Row> decodeBatch(byte[] data, int offset, int length) throws CorruptRowException {
    try {
      var in = CodedInputStream.newInstance(data, offset, length);
      in.setSizeLimit(Integer.MAX_VALUE);
      int count = in.readRawVarint32();
      // Every row takes at least a few bytes, so a count above the length is garbage; checking it
      // first keeps a corrupt count from sizing a huge list.
      if (count < 1 || count > length) {
        throw new CorruptRowException("row count " + count + " outside 1.." + length);
      }
      List<Row> rows = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        rows.add(RowCodec.read(in));
      }
      if (!in.isAtEnd()) {
        throw new CorruptRowException("trailing bytes after " + count + " rows");
      }
      return rows;
    } catch (CorruptRowException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new CorruptRowException("undecodable row batch: " + e.getMessage());
    }
  }
}
