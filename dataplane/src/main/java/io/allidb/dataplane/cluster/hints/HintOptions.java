package io.allidb.dataplane.cluster.hints;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Hinted handoff settings.
 *
 * @param dir where hint files live (one sequence of files per target host)
 * @param window how long a hint stays worth delivering. A replica down longer than this has missed
 *     too much for hints to be the cheap way back (and tombstones older than gc_grace may have been
 *     purged elsewhere); older hints are dropped with a log line saying repair is the way back.
 *     Default 3 h, as Cassandra's max_hint_window
 * @param fsyncInterval how often hint files are fsynced; {@link Duration#ZERO} fsyncs every append
 *     before the write returns (slower writes while a replica is down, no hint lost on power
 *     failure). Default 1 s: a hint is a second copy of a row already acknowledged by a quorum
 * @param maxFileBytes a target's file is sealed and a new one started past this size, so replay can
 *     delete delivered files while new hints arrive
 * @param replayInterval how often the replayer looks for targets that are alive again
 * @param replayRowsPerSecond delivery rate limit per node, so a returning replica is not flooded
 *     while it also serves live traffic
 * @param replayBatchRows rows per DeliverHints call
 * @param deliveryTimeout how long one DeliverHints call may take before the replay of that target
 *     stops until the next round
 */
public record HintOptions(
    Path dir,
    Duration window,
    Duration fsyncInterval,
    long maxFileBytes,
    Duration replayInterval,
    double replayRowsPerSecond,
    int replayBatchRows,
    Duration deliveryTimeout) {

  public static final Duration DEFAULT_WINDOW = Duration.ofHours(3);

  public HintOptions {
    Objects.requireNonNull(dir, "dir");
    for (Duration d : new Duration[] {window, fsyncInterval, replayInterval, deliveryTimeout}) {
      Objects.requireNonNull(d, "durations");
      if (d.isNegative()) {
        throw new IllegalArgumentException("hint durations must not be negative; got " + d);
      }
    }
    if (window.isZero() || replayInterval.isZero() || deliveryTimeout.isZero()) {
      throw new IllegalArgumentException(
          "window, replayInterval and deliveryTimeout must be positive; got "
              + window
              + ", "
              + replayInterval
              + ", "
              + deliveryTimeout);
    }
    if (maxFileBytes < 4096) {
      throw new IllegalArgumentException("maxFileBytes must be >= 4096; got " + maxFileBytes);
    }
    if (!(replayRowsPerSecond > 0) || replayBatchRows < 1) {
      throw new IllegalArgumentException(
          "replayRowsPerSecond and replayBatchRows must be positive; got "
              + replayRowsPerSecond
              + ", "
              + replayBatchRows);
    }
  }

  /** Defaults: 3 h window, fsync every second, 32 MiB files, replay every 10 s at 5000 rows/s. */
  public static HintOptions defaults(Path dir) {
    return new HintOptions(
        dir,
        DEFAULT_WINDOW,
        Duration.ofSeconds(1),
        32L << 20,
        Duration.ofSeconds(10),
        5000,
        500,
        Duration.ofSeconds(10));
  }

  public HintOptions withWindow(Duration w) {
    return new HintOptions(
        dir,
        w,
        fsyncInterval,
        maxFileBytes,
        replayInterval,
        replayRowsPerSecond,
        replayBatchRows,
        deliveryTimeout);
  }

  public HintOptions withReplayInterval(Duration r) {
    return new HintOptions(
        dir,
        window,
        fsyncInterval,
        maxFileBytes,
        r,
        replayRowsPerSecond,
        replayBatchRows,
        deliveryTimeout);
  }

  public HintOptions withFsyncInterval(Duration f) {
    return new HintOptions(
        dir,
        window,
        f,
        maxFileBytes,
        replayInterval,
        replayRowsPerSecond,
        replayBatchRows,
        deliveryTimeout);
  }
}
