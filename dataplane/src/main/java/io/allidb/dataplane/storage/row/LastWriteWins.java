package io.allidb.dataplane.storage.row;

import java.util.Arrays;

/**
 * Conflict resolution between two versions of the same key.
 *
 * <p>The greater timestamp wins. On equal timestamps the tie is broken deterministically, so every
 * replica and every merge (read, flush, compaction, repair) picks the same winner whatever the
 * arrival order: a tombstone beats a live row (a delete at the same instant wins, as in Cassandra),
 * then the greater expiry, then the value that is greater in unsigned byte order.
 */
public final class LastWriteWins {
  private LastWriteWins() {}

  /** Returns the winning row of two versions of one key. */
  public static Row resolve(Row a, Row b) {
    return compare(a, b) >= 0 ? a : b;
  }

  /** Positive when {@code a} beats {@code b}, negative when {@code b} wins, 0 when identical. */
  public static int compare(Row a, Row b) {
    return compare(
        a.timestamp(),
        a.tombstone(),
        a.expiresAtMicros(),
        a.value(),
        0,
        a.value().length,
        b.timestamp(),
        b.tombstone(),
        b.expiresAtMicros(),
        b.value(),
        0,
        b.value().length);
  }

  /**
   * The same rule on unpacked versions whose values are slices of larger arrays (the memtable keeps
   * values in slabs).
   */
  public static int compare(
      long tsA,
      boolean tombA,
      long expA,
      byte[] valA,
      int offA,
      int lenA,
      long tsB,
      boolean tombB,
      long expB,
      byte[] valB,
      int offB,
      int lenB) {
    int c = Long.compare(tsA, tsB);
    if (c != 0) {
      return c;
    }
    c = Boolean.compare(tombA, tombB);
    if (c != 0) {
      return c;
    }
    c = Long.compare(expA, expB);
    if (c != 0) {
      return c;
    }
    return Arrays.compareUnsigned(valA, offA, offA + lenA, valB, offB, offB + lenB);
  }
}
