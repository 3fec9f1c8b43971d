package io.allidb.dataplane.storage.compaction;

import io.allidb.dataplane.storage.StorageOptions.CompactionOptions;
import io.allidb.dataplane.storage.row.RowKey;
import io.allidb.dataplane.storage.sstable.SSTableReader;
import io.github.resilience4j.core.IntervalFunction;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs compactions on one background thread ({@code storage-compaction}): after every flush it asks
 * the {@link SizeTieredPlanner} for work and merges until nothing is eligible. A failed compaction
 * leaves its inputs live, is counted and logged, and is retried after an exponential backoff with
 * jitter ({@code retryInitialBackoff} doubling up to {@code retryMaxBackoff}).
 *
 * <p>{@link #compactAll()} runs a major compaction (every live table into one) on the same thread
 * and waits for it, so two compactions never touch the same table; {@link #cleanup} is a major
 * compaction that also drops the keys a filter refuses, run the same way. Thread-safe.
 */
public final class CompactionManager implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(CompactionManager.class);

  private final CompactionHost host;
  private final CompactionOptions options;
  private final long gcGraceMicros;
  private final IoThrottle throttle;
  private final IntervalFunction backoff;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final Thread thread;
  private CompletableFuture<Void> majorRequest;
  private final Deque<Cleanup> cleanups = new ArrayDeque<>(); // guarded by lock
  private long signals;
  private volatile boolean stopping;

  public CompactionManager(CompactionHost host, CompactionOptions options, Duration gcGrace) {
    this.host = host;
    this.options = options;
    this.gcGraceMicros = TimeUnit.NANOSECONDS.toMicros(gcGrace.toNanos());
    this.throttle = new IoThrottle(options.bytesPerSecond());
    this.backoff =
        IntervalFunction.ofExponentialRandomBackoff(
            Math.max(1, options.retryInitialBackoff().toMillis()),
            2.0,
            0.5,
            Math.max(1, options.retryMaxBackoff().toMillis()));
    this.thread = new Thread(this::run, "storage-compaction");
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  /** New tables exist: look for work. */
  public void signal() {
    lock.lock();
    try {
      signals++;
      wake.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Compacts every live table into one and waits. */
  public void compactAll() throws IOException {
    CompletableFuture<Void> request;
    lock.lock();
    try {
      if (stopping) {
        throw new IllegalStateException("storage engine is closed");
      }
      if (majorRequest == null) {
        majorRequest = new CompletableFuture<>();
      }
      request = majorRequest;
      signals++;
      wake.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      request.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for compaction", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    }
  }

  /** A requested cleanup: its filter and its caller's future. */
  private record Cleanup(Predicate<RowKey> keep, CompletableFuture<CompactionTask.Result> done) {}

  /**
   * Compacts every live table into one, dropping every key {@code keep} refuses (tombstones
   * included), and waits. Crash-safe like any compaction: the output is fsynced and swapped in
   * through the manifest; a crash before the swap leaves the inputs live.
   *
   * @return what the merge did; zeros when there were no tables
   */
  public CompactionTask.Result cleanup(Predicate<RowKey> keep) throws IOException {
    var request = new Cleanup(keep, new CompletableFuture<>());
    lock.lock();
    try {
      if (stopping) {
        throw new IllegalStateException("storage engine is closed");
      }
      cleanups.add(request);
      signals++;
      wake.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      return request.done().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for cleanup", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    }
  }

  private Cleanup takeCleanup() {
    lock.lock();
    try {
      return cleanups.poll();
    } finally {
      lock.unlock();
    }
  }

  private void runCleanup(Cleanup c) {
    List<SSTableReader> tables = host.acquireTables();
    try {
      c.done()
          .complete(
              tables.isEmpty()
                  ? new CompactionTask.Result(0, 0, 0, 0, 0, 0, List.of())
                  : merge(tables, c.keep()));
    } catch (IOException | RuntimeException e) {
      failures.incrementAndGet();
      host.compactionFailed();
      logger.error("cleanup failed; its inputs stay live: {}", e.toString());
      c.done().completeExceptionally(e);
    } finally {
      host.release(tables);
    }
  }

  public long completed() {
    return completed.get();
  }

  public long failures() {
    return failures.get();
  }

  private void run() {
    int attempt = 0;
    while (!stopping) {
      Cleanup cleanup = takeCleanup();
      if (cleanup != null) {
        runCleanup(cleanup); // fails only its caller; planned work is not retried for it
        continue;
      }
      CompletableFuture<Void> major = takeMajorRequest();
      try {
        boolean didWork = major != null ? runMajor() : runPlanned();
        if (major != null) {
          major.complete(null);
        }
        attempt = 0;
        if (!didWork) {
          waitForSignal(Long.MAX_VALUE);
        }
      } catch (IOException | RuntimeException e) {
        if (stopping) {
          failMajor(major, e);
          return;
        }
        failures.incrementAndGet();
        host.compactionFailed();
        long wait = backoff.apply(++attempt);
        logger.error(
            "compaction failed (attempt {}), retrying in {} ms: {}", attempt, wait, e.toString());
        failMajor(major, e);
        waitForSignal(wait);
      }
    }
    failMajor(takeMajorRequest(), new IOException("storage engine closed"));
    for (Cleanup c = takeCleanup(); c != null; c = takeCleanup()) {
      c.done().completeExceptionally(new IOException("storage engine closed"));
    }
  }

  private static void failMajor(CompletableFuture<Void> major, Exception e) {
    if (major != null) {
      major.completeExceptionally(e);
    }
  }

  private CompletableFuture<Void> takeMajorRequest() {
    lock.lock();
    try {
      var r = majorRequest;
      majorRequest = null;
      return r;
    } finally {
      lock.unlock();
    }
  }

  private boolean runPlanned() throws IOException {
    if (!options.enabled()) {
      return false;
    }
    List<SSTableReader> tables = host.acquireTables();
    try {
      List<SSTableReader> inputs = SizeTieredPlanner.plan(tables, options);
      if (inputs.isEmpty()) {
        return false;
      }
      merge(inputs);
      return true;
    } finally {
      host.release(tables);
    }
  }

  private boolean runMajor() throws IOException {
    List<SSTableReader> tables = host.acquireTables();
    try {
      if (!tables.isEmpty()) {
        merge(tables);
      }
      return false;
    } finally {
      host.release(tables);
    }
  }

  private CompactionTask.Result merge(List<SSTableReader> inputs) throws IOException {
    return merge(inputs, null);
  }

  private CompactionTask.Result merge(List<SSTableReader> inputs, Predicate<RowKey> keep)
      throws IOException {
    long start = System.nanoTime();
    var result =
        new CompactionTask(inputs, host, gcGraceMicros, throttle, () -> stopping, keep).run();
    long nanos = System.nanoTime() - start;
    completed.incrementAndGet();
    host.compacted(result.bytesWritten(), nanos);
    logger.info(
        "compacted {} tables{}: {} rows kept, {} purged, {} dropped, {} bytes in {} ms",
        result.inputs(),
        keep == null ? "" : " (cleanup)",
        result.rowsWritten(),
        result.rowsPurged(),
        result.rowsDropped(),
        result.bytesWritten(),
        nanos / 1_000_000);
    return result;
  }

  private void waitForSignal(long maxMillis) {
    lock.lock();
    try {
      long seen = signals;
      long deadline =
          maxMillis == Long.MAX_VALUE
              ? Long.MAX_VALUE
              : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMillis);
      while (!stopping && signals == seen && majorRequest == null && cleanups.isEmpty()) {
        long left =
            deadline == Long.MAX_VALUE ? TimeUnit.SECONDS.toNanos(1) : deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        wake.awaitNanos(left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
  }

  /** Aborts a running merge (its output is discarded) and stops the thread. */
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
