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
}
