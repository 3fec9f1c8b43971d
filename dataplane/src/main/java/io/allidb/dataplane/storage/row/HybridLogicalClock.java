package io.allidb.dataplane.storage.row;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hybrid logical clock in microseconds since the Unix epoch.
 *
 * <p>{@link #now()} returns {@code max(wall clock, last + 1)}: it follows physical time while that
 * moves forward and counts logically past it when the wall clock stalls, steps back or when more
 * than one timestamp per microsecond is asked for. Every timestamp it hands out is strictly greater
 * than every earlier one and than every timestamp passed to {@link #observe(long)}.
 *
 * <p>Monotonic across restarts: the storage engine observes the greatest timestamp found in its WAL
 * and SSTables before it serves a write; later, replication observes timestamps from peers.
 *
 * <p>Thread-safe and lock-free.
 */
public final class HybridLogicalClock {
  private final Clock wallClock;
  private final AtomicLong last = new AtomicLong();

  public HybridLogicalClock(Clock wallClock) {
    this.wallClock = wallClock;
  }

  /** A clock on the system's UTC wall clock. */
  public static HybridLogicalClock system() {
    return new HybridLogicalClock(Clock.systemUTC());
  }

  /** Returns a fresh timestamp, greater than every one returned or observed before. */
  public long now() {
    long wall = wallMicros();
    return last.accumulateAndGet(wall, (prev, w) -> Math.max(prev + 1, w));
  }

  /** Moves the clock past a timestamp seen elsewhere (WAL replay, SSTables, peers). */
  public void observe(long timestamp) {
    last.accumulateAndGet(timestamp, Math::max);
  }

  /** The current wall-clock time in microseconds, for expiry and gc_grace decisions. */
  public long wallMicros() {
    var instant = wallClock.instant();
    return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000;
  }

  /** The greatest timestamp handed out or observed so far. */
  public long last() {
    return last.get();
  }
}
