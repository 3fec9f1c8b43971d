package io.allidb.e2e.scenario;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An application reading at QUORUM in a loop while a scenario changes the cluster (one read about
 * every 50 ms, the key and trust bundle re-read from their Secrets at every call). Records how many
 * reads succeeded and the first failure; it never stops on a failure, so a report shows whether
 * reads recovered.
 */
final class BackgroundReader {
  private final AtomicLong reads = new AtomicLong();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private volatile boolean running;
  private Thread thread;

  void start(TenantApplication app) {
    running = true;
    thread =
        new Thread(
            () -> {
              for (long i = 0; running; i++) {
                var id = "e-" + (i % Scenarios.ROWS);
                try {
                  var got = app.stub().getEntity(Scenarios.get(id)).getEntity().getEntityId();
                  if (!id.equals(got)) {
                    throw new AssertionError("read " + id + " answered " + got);
                  }
                  reads.incrementAndGet();
                } catch (Throwable e) {
                  if (failure.compareAndSet(null, e)) {
                    System.out.println("[reader] first failed read of " + id + ": " + e);
                  }
                }
                sleep(50);
              }
            },
            "background-reader");
    thread.setDaemon(true);
    thread.start();
  }

  void stop() throws InterruptedException {
    running = false;
    if (thread != null) {
      thread.join(TimeUnit.SECONDS.toMillis(60));
    }
  }

  long reads() {
    return reads.get();
  }

  Throwable failure() {
    return failure.get();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
