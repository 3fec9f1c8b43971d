package io.allidb.operator.api;

/**
 * Where a ring operation stands. Every phase is written to status before the action that leaves it,
 * so an operator restarted at any point resumes from here.
 */
public enum RingOperationPhase {
  /** Decided and recorded; nothing asked of Kubernetes or the node yet. */
  Requested,
  /** Join: the StatefulSet was grown; waiting for the node to be NORMAL and seen by all. */
  Joining,
  /** Decommission: the node was asked to leave; waiting for the ring to say LEFT. */
  Leaving,
  /** Decommission: the node has LEFT and the StatefulSet was shrunk; waiting for the pod to go. */
  Shrinking,
  /** Restart: the node was drained and its pod deleted; waiting for the new pod to be NORMAL. */
  Restarting,
  /**
   * Replace: the node has LEFT, its claim and pod were deleted; waiting for the new pod's node (on
   * a new claim) to be NORMAL.
   */
  Replacing
}
