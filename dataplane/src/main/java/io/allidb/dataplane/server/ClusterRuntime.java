package io.allidb.dataplane.server;

import com.google.common.util.concurrent.ListenableFuture;
import io.allidb.dataplane.cluster.ClusterView;
import io.allidb.dataplane.cluster.StaticClusterView;
import io.allidb.dataplane.cluster.gossip.Gossiper;
import io.allidb.dataplane.cluster.proto.InternodeGrpc;
import io.allidb.dataplane.cluster.transport.Peers;
import io.allidb.dataplane.cluster.transport.ReplicaHandler;
import io.allidb.dataplane.security.InternodeTls;
import io.grpc.Status;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The membership and transport side of a node, which {@link DataplaneServer} starts once storage is
 * open and stops after the public API: the cluster view (gossip and the failure detector in a real
 * cluster), the peer transport, and the internode server whose data RPCs go to this node's {@link
 * ReplicaHandler}.
 *
 * <p>{@link GossipClusterRuntime} is the production implementation ({@code GossipClusterView},
 * {@code PooledPeers}, {@code InternodeServer}); {@link #singleNode} is the default for a node
 * alone in its ring, and tests supply static views over loopback.
 */
public interface ClusterRuntime extends AutoCloseable {

  /** Builds a node's runtime from its configuration. */
  @FunctionalInterface
  interface Factory {
    ClusterRuntime create(NodeConfig config) throws IOException;
  }

  ClusterView view();

  /**
   * The node's gossiper when it gossips: the admin API reports members from its endpoint states and
   * ring changes (join, decommission) publish through it. Empty for a static ring.
   */
  default Optional<Gossiper> gossiper() {
    return Optional.empty();
  }

  Peers peers();

  /**
   * The internode mTLS material when the runtime uses it, so the admin API's {@code ReloadSecrets}
   * can reload it and report its generation. Empty for plaintext development and a node alone.
   */
  default Optional<InternodeTls> internodeTls() {
    return Optional.empty();
  }

  /**
   * Starts serving the internode API (and membership) with {@code replica} answering data RPCs.
   * Called once, after storage opened and before the public API serves; when it returns, the node
   * owns its tokens (a new node has joined the ring).
   *
   * @param loadBytes this node's live bytes on disk and in memory, published through gossip
   */
  void start(ReplicaHandler replica, LongSupplier loadBytes) throws IOException;

  /** Stops the internode server and membership and closes the peer channels. */
  @Override
  void close();

  /** A node alone in its ring: no internode server, no peers, every key local. */
  static ClusterRuntime singleNode(NodeConfig config) {
    var view = StaticClusterView.singleNode(config.hostId());
    Peers none =
        new Peers() {
          @Override
          public <T> CompletableFuture<T> call(
              String hostId,
              String rpc,
              boolean idempotent,
              Function<InternodeGrpc.InternodeFutureStub, ListenableFuture<T>> call) {
            return CompletableFuture.failedFuture(
                Status.UNAVAILABLE
                    .withDescription("single node: no peer " + hostId)
                    .asRuntimeException());
          }

          @Override
          public void close() {}
        };
    return new ClusterRuntime() {
      @Override
      public ClusterView view() {
        return view;
      }

      @Override
      public Peers peers() {
        return none;
      }

      @Override
      public void start(ReplicaHandler replica, LongSupplier loadBytes) {}

      @Override
      public void close() {}
    };
  }
}
