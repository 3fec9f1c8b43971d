package io.allidb.operator.reconcile;

import io.allidb.operator.ring.ObservedRing;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.Map;

/**
 * What one reconcile saw: the cluster's StatefulSets by rack, its pods by name and the ring.
 * Read-only; produced by {@link ClusterObserver}.
 */
public record Observation(
    Map<String, StatefulSet> statefulSets, Map<String, PodState> pods, ObservedRing ring) {

  public int readyPods() {
    return (int) pods.values().stream().filter(PodState::ready).count();
  }
}
