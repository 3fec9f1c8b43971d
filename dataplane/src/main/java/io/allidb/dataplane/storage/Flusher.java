package io.allidb.dataplane.storage;

import io.allidb.dataplane.storage.StorageOptions.CompactionOptions;
import io.allidb.dataplane.storage.memtable.Memtable;
import io.github.resilience4j.core.IntervalFunction;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background thread that writes frozen memtables to SSTables, oldest first.
 *
 * <p>A failed flush (disk full, I/O error) keeps the memtable frozen and readable and its WAL
 * segments on disk, so nothing is lost; it is retried with exponential backoff and jitter. While it
 * keeps failing and every frozen slot is taken, writers get the failure instead of waiting forever
 * (see {@link #awaitProgress}).
 */
final class Flusher implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(Flusher.class);

  private final StorageEngine engine;
  private final IntervalFunction backoff;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final AtomicLong flushes = new AtomicLong();
  private final Thread thread;
  private long signals;
  private long progress;
  private volatile IOException failure;
  private volatile boolean stopping;

  Flusher(StorageEngine engine, CompactionOptions retry) {
    this.engine = engine;
    this.backoff =
        IntervalFunction.ofExponentialRandomBackoff(
            Math.max(1, retry.retryInitialBackoff().toMillis()),
            2.0,
            0.5,
            Math.max(1, retry.retryMaxBackoff().toMillis()));
    this.thread = new Thread(this::run, "storage-flush");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Wakes the flusher: a memtable was frozen. */
  void signal() {
    lock.lock();
    try {
      signals++;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  long flushes() {
    return flushes.get();
  }

  /**
   * Waits up to {@code millis} for a flush to finish while {@code frozenCount} memtables are
   * frozen.
   *
   * @throws IOException when flushing is failing: the write that waits cannot be accepted
   */
  void awaitProgress(long millis, int frozenCount) throws IOException {
    lock.lock();
    try {
      IOException f = failure;
      if (f != null) {
        throw new IOException(
            "write refused: memtable flush is failing (" + f.getMessage() + ")", f);
      }
      if (engine.view().frozen.size() >= frozenCount) {
        changed.await(millis, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for a memtable flush", e);
    } finally {
      lock.unlock();
    }
  }

  /** Waits until no memtable is frozen; throws the flush failure if flushing fails meanwhile. */
  void awaitAllFlushed() throws IOException {
    lock.lock();
    try {
      while (!engine.view().frozen.isEmpty()) {
        long seen = progress;
        changed.await(100, TimeUnit.MILLISECONDS);
        IOException f = failure;
        if (f != null && progress != seen) {
          throw new IOException("flush failed: " + f.getMessage(), f);
        }
        if (stopping) {
          throw new IllegalStateException("storage engine is closed");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for flushes", e);
    } finally {
      lock.unlock();
    }
  }

  private void run() {
    int attempt = 0;
    while (!stopping) {
      var frozen = engine.view().frozen;
      if (frozen.isEmpty()) {
        waitForSignal();
        continue;
      }
      Memtable oldest = frozen.get(frozen.size() - 1);
      try {
        long start = System.nanoTime();
        engine.flushMemtable(oldest);
        flushes.incrementAndGet();
        engine.metrics().flushes.inc();
        logger.debug(
            "flushed {} rows ({} bytes) in {} ms",
            oldest.size(),
            oldest.bytes(),
            (System.nanoTime() - start) / 1_000_000);
        attempt = 0;
        finished(null);
      } catch (IOException | RuntimeException e) {
        if (stopping) {
          return;
        }
        var io = e instanceof IOException ioe ? ioe : new IOException(e);
        engine.metrics().flushFailures.inc();
        long wait = backoff.apply(++attempt);
        logger.error(
            "memtable flush failed (attempt {}), retrying in {} ms: {}",
            attempt,
            wait,
            e.toString());
        finished(io);
        sleep(wait);
      }
    }
  }

  private void finished(IOException f) {
    lock.lock();
    try {
      failure = f;
      progress++;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void waitForSignal() {
    lock.lock();
    try {
      long seen = signals;
      while (signals == seen && !stopping && engine.view().frozen.isEmpty()) {
        changed.await(1, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
  }

  private void sleep(long millis) {
    lock.lock();
    try {
      long seen = signals;
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
      long left;
      while (!stopping && signals == seen && (left = deadline - System.nanoTime()) > 0) {
        changed.awaitNanos(left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
  }

  /** Stops after the flush in progress, if any. Frozen memtables stay in the WAL. */
  @Override
  public void close() {
    stopping = true;
    signal();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(60));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
