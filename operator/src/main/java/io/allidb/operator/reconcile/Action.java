package io.allidb.operator.reconcile;

/** A side effect the planner asks for beyond applying objects. Executed in order. */
public sealed interface Action {
  /** Ask the node to leave the ring (idempotent). */
  record Decommission(String pod) implements Action {}

  /** Drain the node, then delete its pod so the StatefulSet recreates it on the new template. */
  record Restart(String pod) implements Action {}

  /** Delete a node's data claim (only after the node has LEFT, per policy). */
  record DeleteClaim(String claim) implements Action {}

  /**
   * Delete a pod whose node has LEFT so the StatefulSet recreates it (on a new claim, deleted just
   * before): the replacement of a node named by annotation.
   */
  record DeletePod(String pod) implements Action {}
}
