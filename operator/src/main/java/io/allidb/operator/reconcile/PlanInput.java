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
 * @param replaceRequest the pod named by {@code allidb.io/replace-node} when that request is not
 *     carried out yet (status.replacedNode differs), else null
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
    Instant now,
    String replaceRequest) {

  public PlanInput(
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
    this(
        clusterName,
        racks,
        pods,
        ring,
        inFlight,
        replicationFactor,
        onScaleDown,
        allowQuorumLossOnRestart,
        generation,
        now,
        null);
  }

  /** The same input with a pending {@code allidb.io/replace-node} request. */
  public PlanInput withReplaceRequest(String pod) {
    return new PlanInput(
        clusterName,
        racks,
        pods,
        ring,
        inFlight,
        replicationFactor,
        onScaleDown,
        allowQuorumLossOnRestart,
        generation,
        now,
        pod);
  }

  /** The same observations once the operation in flight is over and racks have these sizes. */
  PlanInput afterOperation(Map<String, Integer> replicas) {
    var resized =
        racks.stream()
            .map(
                r ->
                    new RackState(
                        r.rack(),
                        r.desiredReplicas(),
                        replicas.getOrDefault(r.rack(), r.currentReplicas()),
                        r.desiredHash()))
            .toList();
    return new PlanInput(
        clusterName,
        resized,
        pods,
        ring,
        null,
        replicationFactor,
        onScaleDown,
        allowQuorumLossOnRestart,
        generation,
        now,
        replaceRequest);
  }

  RackState rack(String name) {
    return racks.stream().filter(r -> r.rack().equals(name)).findFirst().orElse(null);
  }
}
