package io.allidb.operator.reconcile;

/**
 * One rack: what the spec wants and what its StatefulSet currently asks for.
 *
 * @param desiredReplicas from the spec (0 for a rack that was removed from the spec)
 * @param currentReplicas the StatefulSet's spec.replicas, 0 when it does not exist yet
 * @param desiredHash the pod-template hash the model renders now
 */
public record RackState(
    String rack, int desiredReplicas, int currentReplicas, String desiredHash) {}
