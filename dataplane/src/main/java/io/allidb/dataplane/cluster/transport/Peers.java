package io.allidb.dataplane.cluster.transport;

import com.google.common.util.concurrent.ListenableFuture;
import io.allidb.dataplane.cluster.proto.InternodeGrpc;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Calls to other nodes' internode service. The implementation owns one pooled channel per peer, a
 * deadline on every call, retries with exponential backoff and jitter for idempotent calls, and a
 * circuit breaker per peer, so callers only say what to call.
 *
 * <p>A call to an unknown peer, an open circuit or an exhausted retry budget completes the future
 * exceptionally (with a {@link io.grpc.StatusRuntimeException} whose status says which); it never
 * throws from {@code call} itself.
 */
public interface Peers extends AutoCloseable {

  /**
   * Calls a peer.
   *
   * @param hostId the peer's host id (its address comes from the cluster view)
   * @param rpc the RPC's name, for metrics and error messages
   * @param idempotent whether the call may be retried (replaying rows is idempotent:
   *     last-write-wins)
   * @param call the call to make on a stub that already carries the deadline
   */
  <T> CompletableFuture<T> call(
      String hostId,
      String rpc,
      boolean idempotent,
      Function<InternodeGrpc.InternodeFutureStub, ListenableFuture<T>> call);

  @Override
  void close();
}
