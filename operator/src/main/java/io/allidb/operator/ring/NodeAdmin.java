package io.allidb.operator.ring;

/**
 * The node admin operations the operator needs (issue 6 provides them as a gRPC service; the
 * binding comes with it). Every call may throw {@link NodeAdminException}; implementations apply
 * their own deadline so that a reconcile never blocks for long. Implementations must be
 * thread-safe: one instance serves every cluster.
 */
public interface NodeAdmin {

  /** The node's identity and health. */
  NodeInfo nodeInfo(NodeAddress node);

  /** Every ring member as this node sees it. */
  RingView ringView(NodeAddress node);

  /**
   * Ask the node to stream its ranges away and leave the ring. Asynchronous and idempotent: a
   * second call while it is leaving, or after it left, changes nothing.
   */
  void decommission(NodeAddress node);

  /** Progress of a decommission on this node. */
  DecommissionStatus decommissionStatus(NodeAddress node);

  /**
   * Flush memtables, stop accepting writes and hand off hints, so the pod can be restarted without
   * relying on commit-log replay. Returns when the node is drained.
   */
  void drain(NodeAddress node);

  // Day-2 calls (issue 8). Defaults refuse, so a binding without them still compiles and the
  // operator reports the feature as unavailable instead of guessing.

  /**
   * Re-read API keys and TLS material now (admin {@code ReloadSecrets}); returns the generations
   * loaded afterwards. The node also reloads by itself within its reload interval.
   */
  default SecretGenerations reloadSecrets(NodeAddress node) {
    throw new NodeAdminException("reloadSecrets is not supported by this binding (" + node + ")");
  }

  /** Every member's tokens and the replication factor, as this node sees them. */
  default TokenMap tokenMap(NodeAddress node) {
    throw new NodeAdminException("tokenMap is not supported by this binding (" + node + ")");
  }

  /**
   * Start a Merkle repair of {@code ranges} (which this node replicates) with every other replica
   * (admin {@code StartRepair}); returns at once, {@link #repairStatus} follows it.
   *
   * @param intensity share of wall time the repair may work, (0, 1]
   */
  default RepairProgress startRepair(
      NodeAddress node, java.util.List<TokenRange> ranges, double intensity) {
    throw new NodeAdminException("startRepair is not supported by this binding (" + node + ")");
  }

  /** Progress of a repair this node started ({@code repairId} empty: the latest). */
  default RepairProgress repairStatus(NodeAddress node, String repairId) {
    throw new NodeAdminException("repairStatus is not supported by this binding (" + node + ")");
  }
}
