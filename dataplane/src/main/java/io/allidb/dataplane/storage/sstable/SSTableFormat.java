package io.allidb.dataplane.storage.sstable;

import io.allidb.dataplane.storage.row.RowKey;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The on-disk layout of an SSTable, version 1.
 *
 * <p>One immutable file per table, named {@code sst-<generation>.db} with the generation
 * zero-padded to 20 digits so that names sort like generations. It is written as {@code
 * <name>.tmp}, fsynced, atomically renamed to its final name and the directory fsynced: a file with
 * the final name is always complete.
 *
 * <pre>
 * [data block 0] ... [data block n-1] [index block] [bloom block] [properties block] [footer]
 * </pre>
 *
 * <p>All multi-byte integers are big-endian, except inside rows, which use {@link
 * io.allidb.dataplane.storage.row.RowCodec}'s encoding (protobuf varints and little-endian
 * fixed64). "varint" below is the unsigned protobuf base-128 varint. Every block ends with a CRC32C
 * over all of the block's preceding bytes.
 *
 * <h2>Data block</h2>
 *
 * <pre>
 * u8   compression        0 = none, 1 = LZ4 block format
 * u32  uncompressedLength
 * u32  storedLength
 * ...  stored bytes       the rows, RowCodec-encoded back to back, possibly LZ4-compressed
 * u32  CRC32C             over the header and the stored bytes
 * </pre>
 *
 * Rows are sorted by {@link RowKey}, each key at most once per table. The writer cuts a block when
 * its uncompressed size reaches the configured block size (one large row may exceed it) and stores
 * it uncompressed when LZ4 would not make it smaller.
 *
 * <h2>Index block</h2>
 *
 * <pre>
 * u32  blockCount
 * per data block:
 *   varint tenantLength, tenant bytes, varint idLength, id bytes   the block's LAST key
 *   u64    offset of the block
 *   u32    on-disk length of the block (header, stored bytes and CRC)
 *   u32    row count
 * u32  CRC32C
 * </pre>
 *
 * Blocks are contiguous from offset 0 to the index block; readers verify this.
 *
 * <h2>Bloom block</h2>
 *
 * See {@link BloomFilter#serialize}: {@code u8 hashCount, u64 seed, u32 wordCount, wordCount x
 * u64}, then {@code u32 CRC32C}. Keys are hashed as {@code varint tenantLength, tenant, varint
 * idLength, id} with xxHash64.
 *
 * <h2>Properties block</h2>
 *
 * <pre>
 * u64 rowCount, u64 tombstoneCount, u64 minTimestamp, u64 maxTimestamp,
 * key minKey, key maxKey                    (key = varint tenantLength, tenant, varint idLength, id)
 * u64 createdAtMicros, u64 minDeletionTimeMicros, u64 maxDeletionTimeMicros
 * u32 CRC32C
 * </pre>
 *
 * <h2>Footer</h2>
 *
 * Fixed {@value #FOOTER_BYTES} bytes at the end of the file:
 *
 * <pre>
 * u64 indexOffset, u32 indexLength, u64 bloomOffset, u32 bloomLength,
 * u64 propertiesOffset, u32 propertiesLength     (lengths include each block's CRC)
 * u16 version
 * u64 MAGIC
 * u32 CRC32C over the preceding footer bytes
 * </pre>
 *
 * Readers check the magic, the footer CRC, the version and that every offset is in bounds before
 * they trust anything else.
 *
 * <p>Stateless; thread-safe.
 */
public final class SSTableFormat {
  /**
   * "AlliSST1" in ASCII. Readable in a hex dump, distinct from the WAL's magic, and vanishingly
   * unlikely as the last bytes of a truncated or foreign file, so a bad magic reliably means "not a
   * complete SSTable".
   */
  public static final long MAGIC = 0x416C6C6953535431L;

  /** The only version this code writes and reads. */
  public static final short VERSION_CURRENT = 1;

  /** Size of the footer in bytes. */
  public static final int FOOTER_BYTES = 8 + 4 + 8 + 4 + 8 + 4 + 2 + 8 + 4;

  static final int BLOCK_HEADER_BYTES = 1 + 4 + 4;
  static final int CRC_BYTES = 4;
  static final byte COMPRESSION_NONE = 0;
  static final byte COMPRESSION_LZ4 = 1;

  /** Fixed xxHash64 seed for bloom filters; stored in the bloom block so it could change later. */
  static final long BLOOM_SEED = 0x9E3779B97F4A7C15L;

  private static final String PREFIX = "sst-";
  private static final String SUFFIX = ".db";
  private static final String TMP_SUFFIX = ".tmp";

  private SSTableFormat() {}

  /** The final file name of a table: {@code sst-<20-digit generation>.db}. */
  public static String fileName(long generation) {
    if (generation < 0) {
      throw new IllegalArgumentException("generation must be >= 0; got " + generation);
    }
    return PREFIX + String.format("%020d", generation) + SUFFIX;
  }

  /** The name a table is written under until it is complete. */
  public static String tmpFileName(long generation) {
    return fileName(generation) + TMP_SUFFIX;
  }

  /** Whether a file name is a final SSTable name (not a temporary one). */
  public static boolean isSSTableFileName(String name) {
    return name.length() == PREFIX.length() + 20 + SUFFIX.length()
        && name.startsWith(PREFIX)
        && name.endsWith(SUFFIX)
        && name.substring(PREFIX.length(), PREFIX.length() + 20)
            .chars()
            .allMatch(Character::isDigit);
  }

  /**
   * The generation in an SSTable file name.
   *
   * @throws IllegalArgumentException when the name is not an SSTable name
   */
  public static long generationOf(Path file) {
    String name = file.getFileName().toString();
    if (!isSSTableFileName(name)) {
      throw new IllegalArgumentException("not an SSTable file name: " + name);
    }
    return Long.parseLong(name.substring(PREFIX.length(), PREFIX.length() + 20));
  }

  static int crc32c(byte[] bytes, int offset, int length) {
    var crc = new CRC32C();
    crc.update(bytes, offset, length);
    return (int) crc.getValue();
  }

  static void writeVarint(DataOutputStream out, int value) throws IOException {
    while ((value & ~0x7F) != 0) {
      out.writeByte((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    out.writeByte(value);
  }

  /** Reads an unsigned varint of at most 5 bytes that must fit a non-negative int. */
  static int readVarint(ByteBuffer in) {
    int result = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      byte b = in.get();
      result |= (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        if (result < 0) {
          throw new IllegalArgumentException("varint out of range");
        }
        return result;
      }
    }
    throw new IllegalArgumentException("varint longer than 5 bytes");
  }

  static void writeKey(DataOutputStream out, RowKey key) throws IOException {
    writeVarint(out, key.tenantBytes().length);
    out.write(key.tenantBytes());
    writeVarint(out, key.idBytes().length);
    out.write(key.idBytes());
  }

  /**
   * Reads a key written by {@link #writeKey}.
   *
   * @throws IllegalArgumentException or {@link BufferUnderflowException} when it does not decode
   */
  static RowKey readKey(ByteBuffer in) {
    byte[] tenant = readBytes(in, RowKey.MAX_TENANT_BYTES);
    byte[] id = readBytes(in, RowKey.MAX_ID_BYTES);
    return RowKey.fromBytes(tenant, id);
  }

  private static byte[] readBytes(ByteBuffer in, int max) {
    int len = readVarint(in);
    if (len > max) {
      throw new IllegalArgumentException("length " + len + " exceeds " + max);
    }
    byte[] b = new byte[len];
    in.get(b);
    return b;
  }

  /** The footer's fields; see the class Javadoc for the layout. */
  record Footer(
      long indexOffset,
      int indexLength,
      long bloomOffset,
      int bloomLength,
      long propertiesOffset,
      int propertiesLength,
      short version) {

    byte[] encode() {
      var buf = ByteBuffer.allocate(FOOTER_BYTES);
      buf.putLong(indexOffset).putInt(indexLength);
      buf.putLong(bloomOffset).putInt(bloomLength);
      buf.putLong(propertiesOffset).putInt(propertiesLength);
      buf.putShort(version).putLong(MAGIC);
      buf.putInt(crc32c(buf.array(), 0, FOOTER_BYTES - CRC_BYTES));
      return buf.array();
    }

    /**
     * Decodes and validates a footer read from the last {@link #FOOTER_BYTES} of a file.
     *
     * @param file for error messages
     * @param fileSize size of the whole file, to bounds-check the offsets
     */
    static Footer decode(byte[] bytes, Path file, long fileSize) throws CorruptSSTableException {
      long footerOffset = fileSize - FOOTER_BYTES;
      var buf = ByteBuffer.wrap(bytes);
      long magic = buf.getLong(FOOTER_BYTES - CRC_BYTES - 8);
      if (magic != MAGIC) {
        throw new CorruptSSTableException(
            file,
            footerOffset,
            String.format(
                "bad footer magic 0x%016x, expected 0x%016x: the file is truncated or not an SSTable",
                magic, MAGIC));
      }
      int storedCrc = buf.getInt(FOOTER_BYTES - CRC_BYTES);
      if (storedCrc != crc32c(bytes, 0, FOOTER_BYTES - CRC_BYTES)) {
        throw new CorruptSSTableException(file, footerOffset, "footer CRC mismatch");
      }
      var f =
          new Footer(
              buf.getLong(),
              buf.getInt(),
              buf.getLong(),
              buf.getInt(),
              buf.getLong(),
              buf.getInt(),
              buf.getShort());
      if (f.version != VERSION_CURRENT) {
        throw new CorruptSSTableException(
            file,
            footerOffset,
            "unsupported SSTable version "
                + f.version
                + " (this build reads "
                + VERSION_CURRENT
                + ")");
      }
      // The three metadata blocks follow each other and end where the footer starts.
      if (f.indexOffset < 0
          || f.indexLength < CRC_BYTES + 4
          || f.bloomOffset != f.indexOffset + f.indexLength
          || f.bloomLength < CRC_BYTES
          || f.propertiesOffset != f.bloomOffset + f.bloomLength
          || f.propertiesLength < CRC_BYTES
          || f.propertiesOffset + f.propertiesLength != footerOffset) {
        throw new CorruptSSTableException(
            file,
            footerOffset,
            "footer offsets out of bounds for a " + fileSize + "-byte file: " + f);
      }
      return f;
    }
  }
}
