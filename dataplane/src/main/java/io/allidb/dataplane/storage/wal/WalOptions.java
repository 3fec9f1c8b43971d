package io.allidb.dataplane.storage.wal;

import io.allidb.dataplane.storage.io.FileIo;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of one {@link WalWriter}. Immutable and thread-safe.
 *
 * @param mode when an append counts as durable relative to the fsync of its record
 * @param groupCommitWindow in {@code SYNC} mode, the longest the sync thread waits for appends that
 *     are in progress before it writes a group (also capped at the recent average fsync time); it
 *     never waits when none is in progress
 * @param periodicInterval in {@code PERIODIC} mode, the interval between write+fsync rounds
 * @param segmentBytes size at which the sync thread starts a new segment, at a group boundary
 * @param firstSegmentSeq lowest seq the first new segment may get; the engine passes one more than
 *     the highest seq it has ever used so a seq is never reused even after segments were deleted
 * @param io file-system access
 * @param listener receives per-group sync figures and failures, for metrics
 */
public record WalOptions(
    DurabilityMode mode,
    Duration groupCommitWindow,
    Duration periodicInterval,
    long segmentBytes,
    long firstSegmentSeq,
    FileIo io,
    WalListener listener) {

  /** Smallest segment size accepted: a header plus a little room. */
  public static final long MIN_SEGMENT_BYTES = 4096;

  public WalOptions {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(groupCommitWindow, "groupCommitWindow");
    Objects.requireNonNull(periodicInterval, "periodicInterval");
    Objects.requireNonNull(io, "io");
    Objects.requireNonNull(listener, "listener");
    if (groupCommitWindow.isNegative()) {
      throw new IllegalArgumentException(
          "groupCommitWindow must not be negative; got " + groupCommitWindow);
    }
    if (periodicInterval.isNegative() || periodicInterval.isZero()) {
      throw new IllegalArgumentException(
          "periodicInterval must be positive; got " + periodicInterval);
    }
    if (segmentBytes < MIN_SEGMENT_BYTES) {
      throw new IllegalArgumentException(
          "segmentBytes must be >= " + MIN_SEGMENT_BYTES + "; got " + segmentBytes);
    }
    if (firstSegmentSeq < 1) {
      throw new IllegalArgumentException("firstSegmentSeq must be >= 1; got " + firstSegmentSeq);
    }
  }

  /** Engine-like defaults: 2 ms group commit window, 100 ms period, 64 MiB segments. */
  public static WalOptions defaults(DurabilityMode mode) {
    return new WalOptions(
        mode,
        Duration.ofMillis(2),
        Duration.ofMillis(100),
        64L << 20,
        1,
        FileIo.real(),
        WalListener.NONE);
  }

  public WalOptions withSegmentBytes(long bytes) {
    return new WalOptions(
        mode, groupCommitWindow, periodicInterval, bytes, firstSegmentSeq, io, listener);
  }

  public WalOptions withFirstSegmentSeq(long seq) {
    return new WalOptions(
        mode, groupCommitWindow, periodicInterval, segmentBytes, seq, io, listener);
  }

  public WalOptions withIo(FileIo fileIo) {
    return new WalOptions(
        mode, groupCommitWindow, periodicInterval, segmentBytes, firstSegmentSeq, fileIo, listener);
  }

  public WalOptions withListener(WalListener l) {
    return new WalOptions(
        mode, groupCommitWindow, periodicInterval, segmentBytes, firstSegmentSeq, io, l);
  }

  public WalOptions withGroupCommitWindow(Duration window) {
    return new WalOptions(
        mode, window, periodicInterval, segmentBytes, firstSegmentSeq, io, listener);
  }
}
