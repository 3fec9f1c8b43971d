package io.allidb.operator.reconcile;

import io.allidb.operator.api.AlliClusterStatus;
import io.allidb.operator.api.PvcRetention;
import io.allidb.operator.api.RingMemberState;
import io.allidb.operator.api.RingOperation;
import io.allidb.operator.ring.NodeAddress;
import io.allidb.operator.ring.RingObserver;
import io.allidb.operator.ring.SimulatedRing;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tiny world for planner tests: one rack "default" of cluster "demo", a StatefulSet whose pods
 * the test starts and readies, and a simulated ring. {@link #step()} plans, then applies the plan
 * the way the reconciler would (replicas, persisted operation, actions against the ring).
 */
final class PlannerWorld {
  static final String RACK = "default";
  final SimulatedRing ring = new SimulatedRing();
  final Map<String, PodState> pods = new LinkedHashMap<>();
  final List<Action> actionsRun = new ArrayList<>();
  int desired;
  int current;
  int replicationFactor = 3;
  String hash = "h1";
  PvcRetention onScaleDown = PvcRetention.Retain;
  boolean allowQuorumLoss;
  RingOperation operation;

  /** The allidb.io/replace-node annotation (null: absent) and what status recorded as done. */
  String replaceAnnotation;

  String replacedNode;
  Plan lastPlan;
  private int uidCounter;

  /** A settled cluster of {@code n} NORMAL, ready nodes. */
  static PlannerWorld settled(int n) {
    var world = new PlannerWorld();
    world.desired = n;
    world.current = n;
    for (int i = 0; i < n; i++) {
      world.startPod(i, true);
      world.ring.normal(pod(i), RACK);
    }
    return world;
  }

  static String pod(int ordinal) {
    return "demo-" + RACK + "-" + ordinal;
  }

  PlanInput input() {
    var addresses =
        pods.keySet().stream()
            .map(p -> new NodeAddress(p, p + ".demo-nodes.db.svc", 7000))
            .toList();
    return new PlanInput(
        "demo",
        List.of(new RackState(RACK, desired, current, hash)),
        Map.copyOf(pods),
        new RingObserver(ring).observe(addresses),
        operation,
        replicationFactor,
        onScaleDown,
        allowQuorumLoss,
        1L,
        Instant.parse("2026-01-01T00:00:00Z"),
        replaceAnnotation == null || replaceAnnotation.equals(replacedNode)
            ? null
            : replaceAnnotation);
  }

  /** One reconcile: plan, then do what the reconciler does with the plan. */
  Plan step() {
    lastPlan = RingPlanner.plan(input());
    current = lastPlan.replicas().get(RACK);
    operation = lastPlan.operation();
    if (lastPlan.replaced() != null) {
      replacedNode = lastPlan.replaced();
    }
    for (var action : lastPlan.actions()) {
      actionsRun.add(action);
      if (action instanceof Action.Decommission d) {
        ring.decommission(address(d.pod()));
      } else if (action instanceof Action.Restart r) {
        ring.drain(address(r.pod()));
        pods.remove(r.pod()); // the StatefulSet controller recreates it (see kubelet())
      } else if (action instanceof Action.DeletePod d) {
        pods.remove(d.pod());
      }
    }
    return lastPlan;
  }

  /** The operator restarts: only what status held survives (a JSON round trip of it). */
  void restartOperator() {
    var status = new AlliClusterStatus();
    status.setRingOperation(operation);
    var json = Serialization.asJson(status);
    operation = Serialization.unmarshal(json, AlliClusterStatus.class).getRingOperation();
  }

  /** What the StatefulSet controller does: pods for ordinals below replicas, none above. */
  void kubelet() {
    pods.keySet().removeIf(p -> Integer.parseInt(p.substring(p.lastIndexOf('-') + 1)) >= current);
    for (int i = 0; i < current; i++) {
      if (!pods.containsKey(pod(i))) {
        startPod(i, false);
      }
    }
  }

  void startPod(int ordinal, boolean ready) {
    pods.put(
        pod(ordinal),
        new PodState(pod(ordinal), "uid-" + (++uidCounter), RACK, ordinal, ready, false, hash));
  }

  void ready(int ordinal) {
    var p = pods.get(pod(ordinal));
    pods.put(
        p.name(),
        new PodState(p.name(), p.uid(), p.rack(), p.ordinal(), true, false, p.templateHash()));
  }

  /** The pod started, joined the ring and became ready. */
  void joined(int ordinal) {
    kubelet();
    ready(ordinal);
    ring.normal(pod(ordinal), RACK);
  }

  RingMemberState state(int ordinal) {
    return input().ring().stateOf(pod(ordinal));
  }

  private static NodeAddress address(String pod) {
    return new NodeAddress(pod, pod + ".demo-nodes.db.svc", 7000);
  }
}
