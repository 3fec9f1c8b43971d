package io.allidb.dataplane.cluster.repair;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Keeps background work (repair, streaming) to a fraction of wall time: after a piece of work that
 * took {@code t}, it sleeps {@code t * (1 - intensity) / intensity}. Intensity 1 never sleeps; 0.25
 * works a quarter of the time. This is Cassandra Reaper's meaning of intensity: it adapts to how
 * expensive the work turns out to be on this machine, where a rows-per-second limit would need
 * tuning per data shape. Not thread-safe: one per job.
 */
public final class Throttle {
  private final double intensity;
  private final BooleanSupplier cancelled;

  /**
   * @param intensity fraction of time working, in (0, 1]
   * @param cancelled checked while sleeping, so a cancel does not wait out a long pause
   */
  public Throttle(double intensity, BooleanSupplier cancelled) {
    if (!(intensity > 0 && intensity <= 1)) {
      throw new IllegalArgumentException("intensity must be in (0, 1]; got " + intensity);
    }
    this.intensity = intensity;
    this.cancelled = cancelled;
  }

  public double intensity() {
    return intensity;
  }

  /** Sleeps after a piece of work that started at {@code startNanos} (System.nanoTime). */
  public void pauseAfter(long startNanos) throws InterruptedException {
    if (intensity >= 1) {
      return;
    }
    long worked = System.nanoTime() - startNanos;
    long sleep = (long) (worked * (1 - intensity) / intensity);
    long until = System.nanoTime() + sleep;
    while (!cancelled.getAsBoolean()) {
      long left = until - System.nanoTime();
      if (left <= 0) {
        return;
      }
      TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
    }
  }
}
