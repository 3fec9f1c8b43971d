package io.allidb.operator.api;

/** Whether a PersistentVolumeClaim outlives its node. */
public enum PvcRetention {
  /** Keep the claim (and its data); a human deletes it. The safe default. */
  Retain,
  /** Delete the claim once its node has left the ring (or the cluster is deleted). */
  Delete
}
