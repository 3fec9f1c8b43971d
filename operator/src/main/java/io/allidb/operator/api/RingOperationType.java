package io.allidb.operator.api;

/** The kinds of ring change the operator drives, one at a time per cluster. */
public enum RingOperationType {
  /** A new node bootstraps into the ring (scale up). */
  Join,
  /** A node streams its ranges away and leaves the ring (scale down). */
  Decommission,
  /** A node is drained and its pod recreated with a new template (rolling restart). */
  Restart,
  /**
   * A node named by {@code allidb.io/replace-node} streams its ranges away and leaves; its claim
   * and pod are then deleted and the same ordinal joins again as a new, empty node (ADR 0005).
   */
  Replace
}
