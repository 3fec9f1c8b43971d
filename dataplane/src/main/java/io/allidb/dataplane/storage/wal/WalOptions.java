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
 * @param maxBufferedBytes most bytes of appended records that may wait in memory to be written;
 *     appenders block beyond it. Without a cap a disk slower than the append rate grows the buffer
 *     until the heap runs out in {@code PERIODIC} and {@code NONE} mode, where nobody waits
 * @param bufferFullTimeout longest an append blocks on a full buffer before it fails with an {@link
 *     java.io.IOException}; bounded so a stuck disk surfaces as errors, not hung clients
 */
public record WalOptions(
    DurabilityMode mode,
    Duration groupCommitWindow,
    Duration periodicInterval,
    long segmentBytes,
    long firstSegmentSeq,
    FileIo io,
    WalListener listener,
    long maxBufferedBytes,
    Duration bufferFullTimeout) {

  /** Smallest segment size accepted: a header plus a little room. */
  public static final long MIN_SEGMENT_BYTES = 4096;

  /** Smallest buffer cap accepted: room for a few groups of small records. */
  public static final long MIN_BUFFERED_BYTES = 64 << 10;

  /** Default cap on buffered bytes: one default segment's worth. */
  public static final long DEFAULT_MAX_BUFFERED_BYTES = 64L << 20;

  /** Default bound on the wait for buffer space. */
  public static final Duration DEFAULT_BUFFER_FULL_TIMEOUT = Duration.ofSeconds(10);

  /** Options with the default buffer cap and timeout. */
  public WalOptions(
      DurabilityMode mode,
      Duration groupCommitWindow,
      Duration periodicInterval,
      long segmentBytes,
      long firstSegmentSeq,
      FileIo io,
      WalListener listener) {
    this(
        mode,
        groupCommitWindow,
        periodicInterval,
        segmentBytes,
        firstSegmentSeq,
        io,
        listener,
        DEFAULT_MAX_BUFFERED_BYTES,
        DEFAULT_BUFFER_FULL_TIMEOUT);
  }

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
    Objects.requireNonNull(bufferFullTimeout, "bufferFullTimeout");
    if (maxBufferedBytes < MIN_BUFFERED_BYTES) {
      throw new IllegalArgumentException(
          "maxBufferedBytes must be >= " + MIN_BUFFERED_BYTES + "; got " + maxBufferedBytes);
    }
    if (bufferFullTimeout.isNegative() || bufferFullTimeout.isZero()) {
      throw new IllegalArgumentException(
          "bufferFullTimeout must be positive; got " + bufferFullTimeout);
    }
  }

  /**
   * Engine-like defaults: 2 ms group commit window, 100 ms period, 64 MiB segments, 64 MiB buffer
   * cap with a 10 s wait.
   */
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
        mode,
        groupCommitWindow,
        periodicInterval,
        bytes,
        firstSegmentSeq,
        io,
        listener,
        maxBufferedBytes,
        bufferFullTimeout);
  }

  public WalOptions withFirstSegmentSeq(long seq) {
    return new WalOptions(
        mode,
        groupCommitWindow,
        periodicInterval,
        segmentBytes,
        seq,
        io,
        listener,
        maxBufferedBytes,
        bufferFullTimeout);
  }

  public WalOptions withIo(FileIo fileIo) {
    return new WalOptions(
        mode,
        groupCommitWindow,
        periodicInterval,
        segmentBytes,
        firstSegmentSeq,
        fileIo,
        listener,
        maxBufferedBytes,
        bufferFullTimeout);
  }

  public WalOptions withListener(WalListener l) {
    return new WalOptions(
        mode,
        groupCommitWindow,
        periodicInterval,
        segmentBytes,
        firstSegmentSeq,
        io,
        l,
        maxBufferedBytes,
        bufferFullTimeout);
  }

  public WalOptions withGroupCommitWindow(Duration window) {
    return new WalOptions(
        mode,
        window,
        periodicInterval,
        segmentBytes,
        firstSegmentSeq,
        io,
        listener,
        maxBufferedBytes,
        bufferFullTimeout);
  }

  /** These options with another cap on buffered bytes and bound on the wait for space. */
  public WalOptions withBufferLimit(long bytes, Duration timeout) {
    return new WalOptions(
        mode,
        groupCommitWindow,
        periodicInterval,
        segmentBytes,
        firstSegmentSeq,
        io,
        listener,
        bytes,
        timeout);
  }
}
