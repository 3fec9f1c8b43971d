package io.allidb.dataplane.storage.row;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import java.io.IOException;

/**
 * Binary encoding of one {@link Row}, shared by WAL records and SSTable data blocks.
 *
 * <pre>
 * u8      flags        bit 0: tombstone, bit 1: has expiry; other bits must be 0
 * varint  tenantLen    then tenantLen bytes of UTF-8
 * varint  idLen        then idLen bytes of UTF-8
 * fixed64 timestamp    HLC microseconds (little-endian, as protobuf's fixed64)
 * fixed64 expiresAt    only when flags bit 1 is set
 * varint  valueLen     then valueLen bytes (0 for a tombstone)
 * </pre>
 *
 * <p>The encoding carries no checksum of its own: the enclosing WAL record or SSTable block has a
 * CRC32C. Decoding validates every length and flag and throws {@link CorruptRowException} with the
 * reason, never returns a half-decoded row.
 */
public final class RowCodec {
  static final int FLAG_TOMBSTONE = 1;
  static final int FLAG_EXPIRY = 2;

  private RowCodec() {}

  /** Exact encoded size of a row. */
  public static int encodedSize(Row row) {
    var key = row.key();
    int size = 1;
    size += CodedOutputStream.computeUInt32SizeNoTag(key.tenantBytes().length);
    size += key.tenantBytes().length;
    size += CodedOutputStream.computeUInt32SizeNoTag(key.idBytes().length);
    size += key.idBytes().length;
    size += 8;
    if (row.expiresAtMicros() > 0) {
      size += 8;
    }
    size += CodedOutputStream.computeUInt32SizeNoTag(row.value().length);
    size += row.value().length;
    return size;
  }

  /** Writes a row. */
  public static void write(Row row, CodedOutputStream out) throws IOException {
    int flags =
        (row.tombstone() ? FLAG_TOMBSTONE : 0) | (row.expiresAtMicros() > 0 ? FLAG_EXPIRY : 0);
    out.writeRawByte((byte) flags);
    out.writeUInt32NoTag(row.key().tenantBytes().length);
    out.writeRawBytes(row.key().tenantBytes());
    out.writeUInt32NoTag(row.key().idBytes().length);
    out.writeRawBytes(row.key().idBytes());
    out.writeFixed64NoTag(row.timestamp());
    if (row.expiresAtMicros() > 0) {
      out.writeFixed64NoTag(row.expiresAtMicros());
    }
    out.writeUInt32NoTag(row.value().length);
    out.writeRawBytes(row.value());
  }

  /** Encodes a row into a new array. */
  public static byte[] toBytes(Row row) {
    byte[] out = new byte[encodedSize(row)];
    var cos = CodedOutputStream.newInstance(out);
    try {
      write(row, cos);
    } catch (IOException e) {
      throw new IllegalStateException("encoding into an exactly sized array cannot fail", e);
    }
    cos.checkNoSpaceLeft();
    return out;
  }

  /**
   * Reads one row.
   *
   * @throws CorruptRowException when a flag, length or key is invalid
   * @throws IOException when the input ends early
   */
  public static Row read(CodedInputStream in) throws IOException {
    int flags = in.readRawByte() & 0xFF;
    if ((flags & ~(FLAG_TOMBSTONE | FLAG_EXPIRY)) != 0) {
      throw new CorruptRowException("unknown row flags 0x" + Integer.toHexString(flags));
    }
    byte[] tenant = readBytes(in, RowKey.MAX_TENANT_BYTES, "tenant");
    byte[] id = readBytes(in, RowKey.MAX_ID_BYTES, "id");
    long timestamp = in.readFixed64();
    long expiresAt = (flags & FLAG_EXPIRY) != 0 ? in.readFixed64() : 0;
    byte[] value = readBytes(in, Integer.MAX_VALUE - 16, "value");
    try {
      return new Row(
          RowKey.fromBytes(tenant, id), timestamp, (flags & FLAG_TOMBSTONE) != 0, expiresAt, value);
    } catch (IllegalArgumentException e) {
      throw new CorruptRowException("invalid row: " + e.getMessage());
    }
  }

  private static byte[] readBytes(CodedInputStream in, int max, String what) throws IOException {
    int len = in.readRawVarint32();
    if (len < 0 || len > max) {
      throw new CorruptRowException(what + " length " + len + " outside 0.." + max);
    }
    return in.readRawBytes(len);
  }

  /** Decodes a row from an array holding exactly one encoded row. */
  public static Row fromBytes(byte[] bytes) throws IOException {
    var in = CodedInputStream.newInstance(bytes);
    in.setSizeLimit(Integer.MAX_VALUE);
    Row row = read(in);
    if (!in.isAtEnd()) {
      throw new CorruptRowException("trailing bytes after row");
    }
    return row;
  }
}
