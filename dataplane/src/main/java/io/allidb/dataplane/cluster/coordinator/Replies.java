package io.allidb.dataplane.cluster.coordinator;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waiting on replica replies with a bound, mapping failures to statuses. Stateless. */
final class Replies {
  private Replies() {}

  /**
   * The reply, or a {@link StatusRuntimeException} (the replica's status, DEADLINE_EXCEEDED after
   * {@code timeout}); an {@link IOException} of the local replica passes through.
   */
  static <T> T await(CompletableFuture<T> f, Duration timeout) throws IOException {
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw Status.DEADLINE_EXCEEDED
          .withDescription("replica did not answer within " + timeout.toMillis() + " ms")
          .asRuntimeException();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof IOException io) {
        throw io;
      }
      if (c instanceof RuntimeException r) {
        throw r;
      }
      throw Status.fromThrowable(c).asRuntimeException();
    }
  }
}
