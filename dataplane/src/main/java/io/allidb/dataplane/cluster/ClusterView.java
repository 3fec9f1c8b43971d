package io.allidb.dataplane.cluster;

import io.allidb.dataplane.cluster.ring.TokenRing;
import java.util.List;
import java.util.Optional;

/**
 * What the coordinator needs to know about the cluster, as this node sees it now: the ring, who is
 * alive and where to reach them. Implemented by gossip in a real cluster and by a fixed view for a
 * single node and for tests.
 *
 * <p>Implementations are thread-safe; {@link #ring()} returns an immutable snapshot, so a request
 * routes by one consistent ring even while membership changes.
 */
public interface ClusterView {

  /** This node's host id. */
  String localHostId();

  /** The current ring snapshot. */
  TokenRing ring();

  /** Replication factor of the cluster. */
  int replicationFactor();

  /** Whether the failure detector currently considers the member alive (always true for self). */
  boolean isAlive(String hostId);

  /** The member's internode address ({@code host:port}), if known. */
  Optional<String> internodeAddress(String hostId);

  /**
   * Replicas a key gains while a ring change is in flight (a JOINING member that will take it, or
   * the member that replaces a LEAVING one): writes go to them too and count them in the
   * acknowledgements needed, so a write acknowledged during the change is on the future owners.
   * Empty when no change is in flight, and for a fixed ring.
   */
  default List<String> pendingReplicasFor(long token) {
    return List.of();
  }
}
