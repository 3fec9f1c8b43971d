package io.allidb.dataplane.util;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;

/**
 * Cooperative cancellation for loops that run inside an RPC.
 *
 * <p>gRPC cancels the call's {@link Context} when the client's deadline passes or the client goes
 * away, but a handler that loops over storage keeps burning CPU and I/O unless it looks. Call
 * {@link #check()} once per iteration (per page, per entity): it costs a thread-local read. Outside
 * an RPC the root context never expires, so the check is a no-op there (tests, CLI tools).
 *
 * <p>Thread-safe: stateless.
 */
public final class CallDeadline {
  private CallDeadline() {}

  /**
   * Throws when the current call's deadline has passed or the call was cancelled.
   *
   * @throws io.grpc.StatusRuntimeException {@code DEADLINE_EXCEEDED} or {@code CANCELLED}
   */
  public static void check() {
    Context ctx = Context.current();
    Deadline deadline = ctx.getDeadline();
    if (deadline != null && deadline.isExpired()) {
      throw Status.DEADLINE_EXCEEDED
          .withDescription("deadline exceeded while the server was processing the call")
          .asRuntimeException();
    }
    if (ctx.isCancelled()) {
      throw Status.CANCELLED.withDescription("call cancelled by the client").asRuntimeException();
    }
  }
}
