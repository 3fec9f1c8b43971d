package io.allidb.operator.reconcile;

import io.allidb.operator.api.PvcRetention;
import io.allidb.operator.api.RingOperation;
import io.allidb.operator.ring.ObservedRing;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything the planner may look at; the planner looks at nothing else.
 *
 * @param clusterName names pods: {@code <cluster>-<rack>-<ordinal>}
 * @param racks in spec order, then racks that were removed from the spec
 * @param pods by name
 * @param inFlight the ring operation persisted in status, or null
 * @param generation metadata.generation of the cluster
 */
public record PlanInput(
    String clusterName,
    List<RackState> racks,
    Map<String, PodState> pods,
    ObservedRing ring,
    RingOperation inFlight,
    int replicationFactor,
    PvcRetention onScaleDown,
    boolean allowQuorumLossOnRestart,
    long generation,
    Instant now) {

  RackState rack(String name) {
    return racks.stream().filter(r -> r.rack().equals(name)).findFirst().orElse(null);
  }
}
