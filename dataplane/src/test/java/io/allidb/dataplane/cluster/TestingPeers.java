package io.allidb.dataplane.cluster;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.allidb.dataplane.cluster.proto.InternodeGrpc;
import io.allidb.dataplane.cluster.transport.Peers;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A minimal {@link Peers} for tests: one plaintext channel per peer address (re-created when a
 * restarted peer comes back on another port), a deadline on every call, no retries, no breaker. The
 * production transport (pooled, retried, circuit-broken) comes with the gossip work.
 */
public final class TestingPeers implements Peers {
  private final ClusterView view;
  private final Duration deadline;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

  public TestingPeers(ClusterView view, Duration deadline) {
    this.view = view;
    this.deadline = deadline;
  }

  @Override
  public <T> CompletableFuture<T> call(
      String hostId,
      String rpc,
      boolean idempotent,
      Function<InternodeGrpc.InternodeFutureStub, ListenableFuture<T>> call) {
    var address = view.internodeAddress(hostId);
    if (address.isEmpty()) {
      return CompletableFuture.failedFuture(
          Status.UNAVAILABLE.withDescription("no address for " + hostId).asRuntimeException());
    }
    ManagedChannel channel =
        channels.computeIfAbsent(
            address.get(), a -> NettyChannelBuilder.forTarget(a).usePlaintext().build());
    var stub =
        InternodeGrpc.newFutureStub(channel)
            .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    var out = new CompletableFuture<T>();
    ListenableFuture<T> f;
    try {
      f = call.apply(stub);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    Futures.addCallback(
        f,
        new FutureCallback<T>() {
          @Override
          public void onSuccess(T result) {
            out.complete(result);
          }

          @Override
          public void onFailure(Throwable t) {
            out.completeExceptionally(t);
          }
        },
        MoreExecutors.directExecutor());
    return out;
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
  }
}
