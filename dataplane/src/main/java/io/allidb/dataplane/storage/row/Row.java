package io.allidb.dataplane.storage.row;

import java.util.Objects;

/**
 * One version of one key: the unit the WAL, the memtable and the SSTables store.
 *
 * <p>Every row carries its write timestamp explicitly (hybrid logical clock, microseconds since the
 * Unix epoch); nothing ever infers a row's age from its payload. A tombstone is a row with {@link
 * #tombstone()} set and an empty value. A row with an expiry ({@code expiresAtMicros > 0}) reads as
 * a tombstone from that instant on.
 *
 * @param key the (tenant, id) key
 * @param timestamp write timestamp in HLC microseconds; the conflict-resolution order
 * @param tombstone whether this row deletes the key
 * @param expiresAtMicros wall-clock expiry in microseconds since the epoch, or 0 for none
 * @param value the deterministic serialization of the entity; empty for a tombstone
 */
public record Row(
    RowKey key, long timestamp, boolean tombstone, long expiresAtMicros, byte[] value) {
  private static final byte[] EMPTY = new byte[0];

  public Row {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    if (timestamp <= 0) {
      throw new IllegalArgumentException("timestamp must be positive; got " + timestamp);
    }
    if (expiresAtMicros < 0) {
      throw new IllegalArgumentException("expiresAtMicros must be >= 0; got " + expiresAtMicros);
    }
    if (tombstone && value.length != 0) {
      throw new IllegalArgumentException(
          "a tombstone carries no value; got " + value.length + " bytes");
    }
  }

  /** A live row without expiry. */
  public static Row live(RowKey key, long timestamp, byte[] value) {
    return new Row(key, timestamp, false, 0, value);
  }

  /** A deletion marker. */
  public static Row tombstone(RowKey key, long timestamp) {
    return new Row(key, timestamp, true, 0, EMPTY);
  }

  /** Whether the row has expired at the given wall-clock time (microseconds). */
  public boolean isExpired(long nowMicros) {
    return expiresAtMicros > 0 && expiresAtMicros <= nowMicros;
  }

  /** Whether a read at {@code nowMicros} sees no value: a tombstone or an expired row. */
  public boolean isDeletedAt(long nowMicros) {
    return tombstone || isExpired(nowMicros);
  }

  /**
   * The wall-clock instant (microseconds) from which the row counts as deleted, used to start the
   * gc_grace period; {@link Long#MAX_VALUE} for a live row without expiry.
   */
  public long deletionTimeMicros() {
    if (tombstone) {
      return timestamp;
    }
    return expiresAtMicros > 0 ? expiresAtMicros : Long.MAX_VALUE;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Row r
        && timestamp == r.timestamp
        && tombstone == r.tombstone
        && expiresAtMicros == r.expiresAtMicros
        && key.equals(r.key)
        && java.util.Arrays.equals(value, r.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        key, timestamp, tombstone, expiresAtMicros, java.util.Arrays.hashCode(value));
  }

  @Override
  public String toString() {
    return "Row["
        + key
        + " @"
        + timestamp
        + (tombstone ? " tombstone" : "")
        + (expiresAtMicros > 0 ? " expires@" + expiresAtMicros : "")
        + " "
        + value.length
        + "B]";
  }
}
