package io.allidb.dataplane.storage.compaction;

import java.io.InterruptedIOException;
import java.util.concurrent.locks.LockSupport;

/**
 * A token bucket on bytes: compaction asks for the bytes it is about to process and sleeps when it
 * runs ahead of the configured rate, so background merges leave disk bandwidth to foreground reads
 * and WAL fsyncs. Requests larger than a second's worth are granted on credit (the bucket goes
 * negative and the caller sleeps it off), so no request can wait forever - the original's limiter
 * never granted a request bigger than its per-second budget.
 *
 * <p>Thread-safe.
 */
public final class IoThrottle {
  private final long bytesPerSecond;
  private double available;
  private long lastNanos;

  /**
   * @param bytesPerSecond the rate; 0 disables throttling
   */
  public IoThrottle(long bytesPerSecond) {
    this.bytesPerSecond = bytesPerSecond;
    this.available = bytesPerSecond;
    this.lastNanos = System.nanoTime();
  }

  /** Takes {@code bytes} from the bucket, sleeping while it is in debt. */
  public void acquire(long bytes) throws InterruptedIOException {
    if (bytesPerSecond == 0 || bytes <= 0) {
      return;
    }
    long sleepNanos;
    synchronized (this) {
      long now = System.nanoTime();
      available = Math.min(bytesPerSecond, available + (now - lastNanos) * bytesPerSecond / 1e9);
      lastNanos = now;
      available -= bytes;
      sleepNanos = available >= 0 ? 0 : (long) (-available * 1e9 / bytesPerSecond);
    }
    long deadline = System.nanoTime() + sleepNanos;
    while (sleepNanos > 0) {
      LockSupport.parkNanos(sleepNanos);
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("compaction throttle interrupted");
      }
      sleepNanos = deadline - System.nanoTime();
    }
  }
}
