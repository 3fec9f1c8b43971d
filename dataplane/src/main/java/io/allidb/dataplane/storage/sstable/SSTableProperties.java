package io.allidb.dataplane.storage.sstable;

import io.allidb.dataplane.storage.row.RowKey;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Summary of one SSTable, stored in its properties block and read at open without touching data.
 *
 * <p>Immutable and thread-safe.
 *
 * @param rowCount rows in the table
 * @param tombstoneCount rows that are tombstones (expiring rows are not counted)
 * @param minTimestamp smallest row timestamp (HLC microseconds); the engine observes the maximum
 *     into its clock at startup
 * @param maxTimestamp greatest row timestamp
 * @param minKey first key
 * @param maxKey last key
 * @param createdAtMicros wall-clock time the writer finished, microseconds since the epoch
 * @param minDeletionTimeMicros smallest {@link
 *     io.allidb.dataplane.storage.row.Row#deletionTimeMicros()} of any row: compaction only needs
 *     to look for purgeable tombstones when this is older than gc_grace; {@link Long#MAX_VALUE}
 *     when nothing is deleted or expiring
 * @param maxDeletionTimeMicros greatest deletion time of any row: when it is older than gc_grace
 *     every row in the table is deleted and the table may be dropped whole; {@link Long#MAX_VALUE}
 *     when any row lives forever
 */
public record SSTableProperties(
    long rowCount,
    long tombstoneCount,
    long minTimestamp,
    long maxTimestamp,
    RowKey minKey,
    RowKey maxKey,
    long createdAtMicros,
    long minDeletionTimeMicros,
    long maxDeletionTimeMicros) {

  public SSTableProperties {
    Objects.requireNonNull(minKey, "minKey");
    Objects.requireNonNull(maxKey, "maxKey");
    if (rowCount < 1 || tombstoneCount < 0 || tombstoneCount > rowCount) {
      throw new IllegalArgumentException(
          "need 0 <= tombstoneCount <= rowCount, rowCount >= 1; got "
              + tombstoneCount
              + ", "
              + rowCount);
    }
    if (minTimestamp > maxTimestamp || minKey.compareTo(maxKey) > 0) {
      throw new IllegalArgumentException(
          "min exceeds max in " + minTimestamp + ".." + maxTimestamp);
    }
  }

  /** Encodes the block body (without CRC); see {@link SSTableFormat}. */
  byte[] encode() {
    var bytes = new ByteArrayOutputStream(128);
    try (var out = new DataOutputStream(bytes)) {
      out.writeLong(rowCount);
      out.writeLong(tombstoneCount);
      out.writeLong(minTimestamp);
      out.writeLong(maxTimestamp);
      SSTableFormat.writeKey(out, minKey);
      SSTableFormat.writeKey(out, maxKey);
      out.writeLong(createdAtMicros);
      out.writeLong(minDeletionTimeMicros);
      out.writeLong(maxDeletionTimeMicros);
    } catch (IOException e) {
      throw new IllegalStateException("in-memory stream cannot fail", e);
    }
    return bytes.toByteArray();
  }

  /**
   * Decodes a block body that must hold exactly the properties.
   *
   * @throws IllegalArgumentException or {@link java.nio.BufferUnderflowException} when it does not
   *     decode
   */
  static SSTableProperties decode(ByteBuffer in) {
    var p =
        new SSTableProperties(
            in.getLong(),
            in.getLong(),
            in.getLong(),
            in.getLong(),
            SSTableFormat.readKey(in),
            SSTableFormat.readKey(in),
            in.getLong(),
            in.getLong(),
            in.getLong());
    if (in.hasRemaining()) {
      throw new IllegalArgumentException(in.remaining() + " trailing bytes after properties");
    }
    return p;
  }
}
