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
    int c = Long.compare(a.timestamp(), b.timestamp());
    if (c != 0) {
      return c;
    }
    c = Boolean.compare(a.tombstone(), b.tombstone());
    if (c != 0) {
      return c;
    }
    c = Long.compare(a.expiresAtMicros(), b.expiresAtMicros());
    if (c != 0) {
      return c;
    }
    return Arrays.compareUnsigned(a.value(), b.value());
  }
}
