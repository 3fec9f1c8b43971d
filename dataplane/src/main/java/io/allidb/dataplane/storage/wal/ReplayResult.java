package io.allidb.dataplane.storage.wal;

import java.util.List;

/**
 * What {@link WalReplayer#replay} found. Immutable.
 *
 * @param segments segments replayed (seq at or above the requested one)
 * @param records records passed to the sink
 * @param rows rows passed to the sink
 * @param maxSegmentSeq highest seq of any segment file in the directory, 0 when there is none; a
 *     new writer must start above it
 * @param damage every torn or corrupt spot that was truncated or skipped, in log order
 */
public record ReplayResult(
    int segments, long records, long rows, long maxSegmentSeq, List<WalDamage> damage) {
  public ReplayResult {
    damage = List.copyOf(damage);
  }
}
