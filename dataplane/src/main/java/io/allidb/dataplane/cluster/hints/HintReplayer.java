package io.allidb.dataplane.cluster.hints;

import com.google.common.util.concurrent.RateLimiter;
import io.allidb.dataplane.cluster.hints.HintFormat.Hint;
import io.allidb.dataplane.storage.row.Row;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers stored hints to their target once it is alive again, and drops hints older than the
 * window.
 *
 * <p>Every {@link HintOptions#replayInterval()} one thread ({@code hint-replay}) walks the targets
 * with hints. For a target the failure detector calls alive it seals the open file and delivers
 * every file oldest first, in batches of {@link HintOptions#replayBatchRows()} rows through a Guava
 * {@link RateLimiter} shared by all targets; a file is deleted once all its rows were delivered (or
 * dropped as too old). A failed or timed-out delivery stops that target until the next round; files
 * are re-delivered from their start then, which is harmless because replicas apply rows
 * last-write-wins. For a target still down, files whose last write is older than the window are
 * dropped whole.
 *
 * <p>Thread-safe; {@link #runOnce()} may also be called directly (tests, admin triggers).
 */
public final class HintReplayer implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(HintReplayer.class);

  /** Sends hinted rows to their target replica. */
  @FunctionalInterface
  public interface Delivery {
    CompletableFuture<?> deliver(String host, List<Row> rows);
  }

  private final HintStore store;
  private final Predicate<String> isAlive;
  private final Delivery delivery;
  private final HintOptions options;
  private final RateLimiter limiter;
  private ScheduledExecutorService scheduler;

  public HintReplayer(HintStore store, Predicate<String> isAlive, Delivery delivery) {
    this.store = store;
    this.isAlive = isAlive;
    this.delivery = delivery;
    this.options = store.options();
    this.limiter = RateLimiter.create(options.replayRowsPerSecond());
  }

  /** Starts the periodic replay. */
  public synchronized HintReplayer start() {
    scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              var t = new Thread(r, "hint-replay");
              t.setDaemon(true);
              return t;
            });
    long ms = options.replayInterval().toMillis();
    scheduler.scheduleWithFixedDelay(this::runQuietly, ms, ms, TimeUnit.MILLISECONDS);
    return this;
  }

  private void runQuietly() {
    try {
      runOnce();
    } catch (RuntimeException | IOException e) {
      logger.warn("hint replay round failed; retrying in {}", options.replayInterval(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One round over every target with hints. */
  public synchronized void runOnce() throws IOException, InterruptedException {
    for (String host : store.targets()) {
      if (isAlive.test(host)) {
        replay(host);
      } else {
        dropExpiredFiles(host);
      }
    }
  }

  private void replay(String host) throws IOException, InterruptedException {
    long oldest = store.wallMicros() - TimeUnit.NANOSECONDS.toMicros(options.window().toNanos());
    for (Path file : store.sealForReplay(host)) {
      HintFormat.Contents contents = store.read(host, file);
      var fresh = new ArrayList<Row>();
      long expired = 0;
      for (Hint h : contents.hints()) {
        if (h.hintedAtMicros() < oldest) {
          expired++;
        } else {
          fresh.add(h.row());
        }
      }
      if (!deliver(host, fresh)) {
        return; // the rest waits for the next round
      }
      logExpired(host, expired);
      if (contents.tornTailBytes() > 0) {
        logger.info(
            "hint file {} ended in a torn record ({} bytes, a crash while appending): ignored",
            file,
            contents.tornTailBytes());
      }
      if (contents.corruption().isPresent()) {
        logger.error(
            "corrupt hint file {}: delivered the {} hints before the damage; the rest is set"
                + " aside as .corrupt and lost to hinted handoff: run repair for {}",
            contents.corruption().get(),
            contents.hints().size(),
            host);
        store.quarantine(host, file, contents.hints().size());
      } else {
        store.delete(host, file, contents.hints().size());
      }
    }
  }

  /** Delivers rows in rate-limited batches; false when a batch failed or timed out. */
  private boolean deliver(String host, List<Row> rows) throws InterruptedException {
    for (int i = 0; i < rows.size(); i += options.replayBatchRows()) {
      List<Row> batch = rows.subList(i, Math.min(rows.size(), i + options.replayBatchRows()));
      limiter.acquire(batch.size());
      try {
        delivery
            .deliver(host, batch)
            .get(options.deliveryTimeout().toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException | TimeoutException e) {
        logger.info(
            "hint delivery to {} failed ({}); {} rows wait for the next round",
            host,
            e instanceof ExecutionException ? e.getCause() : "timed out",
            rows.size() - i);
        return false;
      }
      store.metrics.delivered.inc(batch.size());
    }
    return true;
  }

  /** For a target still down: drops files whose newest hint is past the window. */
  private void dropExpiredFiles(String host) throws IOException {
    long cutoffMillis = store.wallMicros() / 1000 - options.window().toMillis();
    for (Path file : store.filesOlderThan(host, cutoffMillis)) {
      var contents = store.read(host, file);
      logExpired(host, contents.hints().size());
      store.delete(host, file, contents.hints().size());
    }
  }

  private void logExpired(String host, long n) {
    if (n > 0) {
      store.metrics.dropped.labelValues("window").inc(n);
      logger.warn(
          "dropped {} hints for {} older than the hint window {}: the replica was down too long"
              + " for hinted handoff; run repair on it to bring it back in sync",
          n,
          host,
          options.window());
    }
  }

  @Override
  public synchronized void close() {
    if (scheduler != null) {
      scheduler.shutdownNow();
      try {
        scheduler.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
