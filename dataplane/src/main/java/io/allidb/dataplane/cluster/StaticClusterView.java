package io.allidb.dataplane.cluster;

import io.allidb.dataplane.cluster.ring.TokenRing;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A cluster view with a fixed ring: the view of a single node (no peers, RF 1 in effect), and of
 * nodes in tests where liveness and addresses are set by hand instead of by gossip.
 *
 * <p>The address map and the down set are held by reference, so several nodes in one JVM can share
 * them and a test can stop, restart (on a new port) and mark nodes down in one place. Thread-safe
 * when those collections are concurrent (the factories make them so).
 */
public final class StaticClusterView implements ClusterView {
  /** Rack of the single-node view. */
  public static final String DEFAULT_RACK = "rack1";

  private final String localHostId;
  private final TokenRing ring;
  private final int replicationFactor;
  private final Map<String, String> addresses;
  private final Set<String> down;

  /**
   * @param addresses internode {@code host:port} per host id; read on every call
   * @param down host ids considered down; read on every call
   */
  public StaticClusterView(
      String localHostId,
      TokenRing ring,
      int replicationFactor,
      Map<String, String> addresses,
      Set<String> down) {
    if (!ring.hostIds().contains(localHostId)) {
      throw new IllegalArgumentException(
          "the ring does not hold the local host " + localHostId + ": " + ring.hostIds());
    }
    if (replicationFactor < 1) {
      throw new IllegalArgumentException(
          "replicationFactor must be >= 1; got " + replicationFactor);
    }
    this.localHostId = localHostId;
    this.ring = ring;
    this.replicationFactor = replicationFactor;
    this.addresses = addresses;
    this.down = down;
  }

  /** The view of a node alone in its ring: one token, every key's only replica. */
  public static StaticClusterView singleNode(String hostId) {
    var ring = TokenRing.of(1, List.of(new TokenRing.Member(hostId, DEFAULT_RACK, List.of(0L))));
    return new StaticClusterView(
        hostId, ring, 1, new ConcurrentHashMap<>(), ConcurrentHashMap.newKeySet());
  }

  /** Whether the ring holds only this node, so every request is served locally. */
  public boolean isSingleNode() {
    return ring.hostIds().size() == 1;
  }

  @Override
  public String localHostId() {
    return localHostId;
  }

  @Override
  public TokenRing ring() {
    return ring;
  }

  @Override
  public int replicationFactor() {
    return replicationFactor;
  }

  @Override
  public boolean isAlive(String hostId) {
    return hostId.equals(localHostId)
        || (ring.hostIds().contains(hostId) && !down.contains(hostId));
  }

  @Override
  public Optional<String> internodeAddress(String hostId) {
    return Optional.ofNullable(addresses.get(hostId));
  }
}
