package io.allidb.operator.reconcile;

/**
 * A node pod as observed in Kubernetes.
 *
 * @param templateHash the pod-template hash it was created from
 */
public record PodState(
    String name,
    String uid,
    String rack,
    int ordinal,
    boolean ready,
    boolean terminating,
    String templateHash) {}
