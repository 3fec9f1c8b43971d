package io.allidb.dataplane.storage.compaction;

import io.allidb.dataplane.storage.StorageOptions.CompactionOptions;
import io.allidb.dataplane.storage.sstable.SSTableReader;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Size-tiered compaction planning (as in Cassandra's STCS): tables of similar size form a bucket; a
 * bucket with at least {@code minThreshold} tables is merged, up to {@code maxThreshold} at a time.
 * A table joins a bucket when its size lies within {@code [bucketLow, bucketHigh]} times the
 * bucket's average; all tables below {@code minSSTableBytes} share one bucket. Among eligible
 * buckets the one with the smallest average size goes first: it is the cheapest merge and the one
 * that reduces the number of tables a read must consult the most per byte written.
 *
 * <p>Pure function; thread-safe.
 */
public final class SizeTieredPlanner {
  private SizeTieredPlanner() {}

  /** The tables to merge next, or an empty list when no bucket is full enough. */
  public static List<SSTableReader> plan(List<SSTableReader> tables, CompactionOptions options) {
    var sorted = new ArrayList<>(tables);
    sorted.sort(Comparator.comparingLong(SSTableReader::fileBytes));
    List<List<SSTableReader>> buckets = new ArrayList<>();
    List<Double> averages = new ArrayList<>();
    for (SSTableReader t : sorted) {
      long size = t.fileBytes();
      int chosen = -1;
      for (int i = 0; i < buckets.size(); i++) {
        double avg = averages.get(i);
        boolean small = size < options.minSSTableBytes() && avg < options.minSSTableBytes();
        if (small || (size >= avg * options.bucketLow() && size <= avg * options.bucketHigh())) {
          chosen = i;
          break;
        }
      }
      if (chosen < 0) {
        buckets.add(new ArrayList<>(List.of(t)));
        averages.add((double) size);
      } else {
        var b = buckets.get(chosen);
        b.add(t);
        averages.set(chosen, (averages.get(chosen) * (b.size() - 1) + size) / b.size());
      }
    }
    List<SSTableReader> best = List.of();
    double bestAvg = Double.MAX_VALUE;
    for (int i = 0; i < buckets.size(); i++) {
      var b = buckets.get(i);
      if (b.size() >= options.minThreshold() && averages.get(i) < bestAvg) {
        best = b;
        bestAvg = averages.get(i);
      }
    }
    return best.size() > options.maxThreshold()
        ? List.copyOf(best.subList(0, options.maxThreshold()))
        : List.copyOf(best);
  }
}
