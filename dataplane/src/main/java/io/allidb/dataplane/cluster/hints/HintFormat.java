package io.allidb.dataplane.cluster.hints;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import io.allidb.dataplane.storage.row.Row;
import io.allidb.dataplane.storage.row.RowCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * The on-disk layout of hint files, format version 1. Stateless; all methods are thread-safe.
 *
 * <p>A coordinator keeps the rows a replica missed in files of its hint directory, one sequence of
 * files per target host, named {@code <host id>-<seq>.hints} with {@code seq} zero-padded to 20
 * digits (name order is write order). Host ids are restricted to {@code [A-Za-z0-9._-]} so they are
 * safe in file names; the header repeats the host id, which wins over the name. All multi-byte
 * integers are big-endian except inside the row encoding.
 *
 * <pre>
 * Header
 *   u32  magic        0x414C4849 ("ALHI")
 *   u16  version      1
 *   u16  hostLength   1..{@link #MAX_HOST_BYTES}
 *   ...  host id      hostLength bytes of UTF-8: the target host
 *   u32  crc          CRC32C of the preceding bytes
 *
 * Records, back to back until the end of the file
 *   u32  length       payload bytes, 1..{@link #MAX_PAYLOAD_BYTES}
 *   u32  crc          CRC32C of the payload
 *   ...  payload
 *          u64  hintedAt   wall clock (microseconds since the epoch) when the hint was stored;
 *                          the hint window is measured from it
 *          ...  row        one row as {@link RowCodec#write} encodes it (its own HLC timestamp,
 *                          tombstone flag, expiry and value travel unchanged)
 * </pre>
 *
 * <p>Files are only appended to, one record per hinted row, and a crash can leave the last record
 * incomplete: a record whose header or payload runs past the end of the file is a <b>torn tail</b>,
 * tolerated and reported as such (its row was never acknowledged as hinted durably). A complete
 * record whose CRC does not match, or whose length is out of bounds, is <b>corruption</b>: reading
 * stops there and reports the file and offset; the records before it are still returned.
 */
public final class HintFormat {
  /** "ALHI" in ASCII: tells a hint file from a stray or zero-filled one. */
  public static final int MAGIC = 0x414C4849;

  public static final short VERSION = 1;
  public static final int MAX_HOST_BYTES = 255;
  public static final int MAX_PAYLOAD_BYTES = 64 << 20;
  static final int RECORD_HEADER_BYTES = 8;
  static final String SUFFIX = ".hints";
  static final Pattern HOST_ID = Pattern.compile("[A-Za-z0-9._-]{1," + MAX_HOST_BYTES + "}");
  private static final Pattern FILE_NAME =
      Pattern.compile("(" + HOST_ID.pattern() + ")-(\\d{20})" + Pattern.quote(SUFFIX));

  private HintFormat() {}

  /** One hinted row and when it was hinted. */
  public record Hint(long hintedAtMicros, Row row) {}

  /** Where reading stopped on damage: the file, the offset of the bad record, and why. */
  public record Corruption(Path file, long offset, String reason) {
    @Override
    public String toString() {
      return file + " at offset " + offset + ": " + reason;
    }
  }

  /**
   * What a file held.
   *
   * @param hints the intact records, in file order
   * @param tornTailBytes bytes of an incomplete last record (0 for a clean end)
   * @param corruption the damage that stopped reading, if any
   */
  public record Contents(List<Hint> hints, long tornTailBytes, Optional<Corruption> corruption) {}

  /** The file name for a target host's {@code seq}-th file. */
  static String fileName(String hostId, long seq) {
    return hostId + "-" + String.format("%020d", seq) + SUFFIX;
  }

  /** A parsed hint file name. */
  record FileName(String hostId, long seq) {}

  /** The (host id, seq) of a hint file name, or empty for other files. */
  static Optional<FileName> parseName(String name) {
    Matcher m = FILE_NAME.matcher(name);
    return m.matches()
        ? Optional.of(new FileName(m.group(1), Long.parseLong(m.group(2))))
        : Optional.empty();
  }

  /**
   * Validates a host id for use in file names.
   *
   * @throws IllegalArgumentException naming the id when it has other characters or is too long
   */
  public static String checkHostId(String hostId) {
    if (!HOST_ID.matcher(hostId).matches()) {
      throw new IllegalArgumentException(
          "host id must match " + HOST_ID.pattern() + " to name hint files; got '" + hostId + "'");
    }
    return hostId;
  }

  static byte[] header(String hostId) {
    byte[] host = checkHostId(hostId).getBytes(StandardCharsets.UTF_8);
    var buf = ByteBuffer.allocate(4 + 2 + 2 + host.length + 4);
    buf.putInt(MAGIC).putShort(VERSION).putShort((short) host.length).put(host);
    buf.putInt(crc(buf.array(), 0, buf.position()));
    return buf.array();
  }

  /** A whole file: the header for {@code hostId} followed by the hints' records. */
  public static byte[] encode(String hostId, List<Hint> hints) {
    byte[] header = header(hostId);
    byte[] records = records(hints);
    return ByteBuffer.allocate(header.length + records.length).put(header).put(records).array();
  }

  /** Encodes hints as consecutive records. */
  static byte[] records(List<Hint> hints) {
    try {
      var payloads = new ArrayList<byte[]>(hints.size());
      int total = 0;
      for (Hint h : hints) {
        byte[] p = new byte[8 + RowCodec.encodedSize(h.row())];
        var out = CodedOutputStream.newInstance(p, 8, p.length - 8);
        RowCodec.write(h.row(), out);
        out.checkNoSpaceLeft();
        ByteBuffer.wrap(p).putLong(0, h.hintedAtMicros());
        payloads.add(p);
        total += RECORD_HEADER_BYTES + p.length;
      }
      var buf = ByteBuffer.allocate(total);
      for (byte[] p : payloads) {
        buf.putInt(p.length).putInt(crc(p, 0, p.length)).put(p);
      }
      return buf.array();
    } catch (IOException e) {
      throw new IllegalStateException("encoding into an exactly sized array cannot fail", e);
    }
  }

  /**
   * Decodes a whole file.
   *
   * @param expectedHost the host the file name says, checked against the header
   */
  public static Contents decode(Path file, byte[] bytes, String expectedHost) {
    var hints = new ArrayList<Hint>();
    var buf = ByteBuffer.wrap(bytes);
    String headerProblem = checkHeader(buf, expectedHost);
    if (headerProblem != null) {
      return new Contents(hints, 0, Optional.of(new Corruption(file, 0, headerProblem)));
    }
    while (buf.hasRemaining()) {
      int offset = buf.position();
      if (buf.remaining() < RECORD_HEADER_BYTES) {
        return new Contents(hints, buf.remaining(), Optional.empty());
      }
      int length = buf.getInt();
      int crc = buf.getInt();
      if (length < 8 + 1 || length > MAX_PAYLOAD_BYTES) {
        return corrupt(hints, file, offset, "record length " + length + " out of bounds");
      }
      if (buf.remaining() < length) {
        return new Contents(hints, bytes.length - offset, Optional.empty());
      }
      int start = buf.position();
      buf.position(start + length);
      if (crc(bytes, start, length) != crc) {
        return corrupt(hints, file, offset, "record CRC32C mismatch");
      }
      try {
        long hintedAt = ByteBuffer.wrap(bytes, start, 8).getLong();
        var in = CodedInputStream.newInstance(bytes, start + 8, length - 8);
        Row row = RowCodec.read(in);
        if (!in.isAtEnd()) {
          return corrupt(hints, file, offset, "trailing bytes after the row");
        }
        hints.add(new Hint(hintedAt, row));
      } catch (IOException e) {
        return corrupt(hints, file, offset, "row does not decode: " + e.getMessage());
      }
    }
    return new Contents(hints, 0, Optional.empty());
  }

  private static String checkHeader(ByteBuffer buf, String expectedHost) {
    if (buf.remaining() < 8) {
      return "file shorter than a header";
    }
    if (buf.getInt() != MAGIC) {
      return "bad magic: not a hint file";
    }
    short version = buf.getShort();
    if (version != VERSION) {
      return "unsupported hint format version " + version;
    }
    int hostLength = buf.getShort() & 0xFFFF;
    if (hostLength < 1 || hostLength > MAX_HOST_BYTES || buf.remaining() < hostLength + 4) {
      return "bad host id length " + hostLength;
    }
    byte[] host = new byte[hostLength];
    buf.get(host);
    int crc = buf.getInt();
    if (crc(buf.array(), 0, buf.position() - 4) != crc) {
      return "header CRC32C mismatch";
    }
    String hostId = new String(host, StandardCharsets.UTF_8);
    if (!hostId.equals(expectedHost)) {
      return "header names host " + hostId + " but the file name says " + expectedHost;
    }
    return null;
  }

  private static Contents corrupt(List<Hint> hints, Path file, long offset, String reason) {
    return new Contents(hints, 0, Optional.of(new Corruption(file, offset, reason)));
  }

  private static int crc(byte[] b, int off, int len) {
    var crc = new CRC32C();
    crc.update(b, off, len);
    return (int) crc.getValue();
  }
}
