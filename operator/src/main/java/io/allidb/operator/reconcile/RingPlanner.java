package io.allidb.operator.reconcile;

import static io.allidb.operator.api.RingOperationPhase.Joining;
import static io.allidb.operator.api.RingOperationPhase.Leaving;
import static io.allidb.operator.api.RingOperationPhase.Replacing;
import static io.allidb.operator.api.RingOperationPhase.Requested;
import static io.allidb.operator.api.RingOperationPhase.Restarting;
import static io.allidb.operator.api.RingOperationPhase.Shrinking;

import io.allidb.operator.api.AlliCluster;
import io.allidb.operator.api.PvcRetention;
import io.allidb.operator.api.RingMemberState;
import io.allidb.operator.api.RingOperation;
import io.allidb.operator.api.RingOperationPhase;
import io.allidb.operator.api.RingOperationType;
import io.allidb.operator.model.Names;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Decides the next step toward the spec, one ring change at a time. Pure: a function of {@link
 * PlanInput}, so every state machine (docs/operator.md) is unit-tested without Kubernetes.
 *
 * <p>Order of business: continue the operation in flight; else scale down (before a restart, so a
 * node about to leave is not restarted); else replace the node named by {@code
 * allidb.io/replace-node}; else roll one pod with a stale template; else scale up. Any operation
 * starts by being recorded ({@code Requested}) and is acted on only by a later reconcile that reads
 * it back from status - the record always precedes the side effect.
 */
public final class RingPlanner {
  private RingPlanner() {}

  public static Plan plan(PlanInput in) {
    var replicas = new LinkedHashMap<String, Integer>();
    in.racks().forEach(r -> replicas.put(r.rack(), r.currentReplicas()));
    var rollout = rolloutPending(in);
    if (in.inFlight() != null) {
      var continued = continueOperation(in, replicas, rollout);
      if (continued.operation() == null
          && continued.actions().isEmpty()
          && continued.blocked() == null) {
        // finished (or cancelled) with nothing left to do: take the next step now rather than
        // a reschedule later
        var after = in.afterOperation(continued.replicas());
        if (continued.replaced() != null) {
          return plan(after.withReplaceRequest(null)).withReplaced(continued.replaced());
        }
        return plan(after);
      }
      return continued;
    }
    var down = in.racks().stream().filter(r -> r.currentReplicas() > r.desiredReplicas()).toList();
    if (!down.isEmpty()) {
      return startScaleDown(in, replicas, rollout, down);
    }
    if (in.replaceRequest() != null) {
      var replace = startReplace(in, replicas, rollout);
      if (replace.replaced() == null) {
        return replace;
      }
      // nothing to replace (the pod was scaled away): record it and take the next step
      return plan(in.withReplaceRequest(null)).withReplaced(replace.replaced());
    }
    if (rollout) {
      return startRestart(in, replicas);
    }
    var up = in.racks().stream().filter(r -> r.currentReplicas() < r.desiredReplicas()).toList();
    if (!up.isEmpty()) {
      return startJoin(in, replicas, up);
    }
    return new Plan(replicas, null, List.of(), null, false);
  }

  // ---- starting an operation -------------------------------------------------------------

  private static Plan startScaleDown(
      PlanInput in, Map<String, Integer> replicas, boolean rollout, List<RackState> shrinking) {
    // the rack with the largest surplus gives up its highest ordinal (StatefulSets only remove
    // from the top)
    var rack =
        shrinking.stream()
            .max(Comparator.comparingInt(r -> r.currentReplicas() - r.desiredReplicas()))
            .orElseThrow();
    var ordinal = rack.currentReplicas() - 1;
    var target = podName(in, rack.rack(), ordinal);
    var pod = in.pods().get(target);
    if (pod == null && !in.ring().isMember(target)) {
      // never started or never joined: nothing to stream, shrink straight away
      var op = operation(in, RingOperationType.Decommission, target, rack.rack(), Shrinking);
      replicas.put(rack.rack(), ordinal);
      return new Plan(replicas, op, List.of(), null, rollout);
    }
    var notSafe = removalBlocked(in, target, replicas, rollout, "removing", "scale-down", "");
    if (notSafe != null) {
      return notSafe;
    }
    var info = in.ring().nodeInfos().get(target);
    var op =
        operation(in, RingOperationType.Decommission, target, rack.rack(), Requested)
            .withTarget(pod == null ? null : pod.uid(), info == null ? null : info.hostId());
    return new Plan(replicas, op, List.of(), null, rollout);
  }

  /**
   * The checks before a member leaves the ring (scale-down and replace): the rest still meet the
   * replication factor, the ring is safe to change, and the leaving node holds no hints of its own
   * (they would leave with it; hints other nodes hold come and go with every write that misses a
   * replica, and waiting for a cluster-wide zero starved scale-downs under steady writes in the
   * simulated cluster). Null when it may go.
   *
   * @param removing how the message names the removal ("removing", "replacing")
   * @param step how the message names the waiting step ("scale-down", "replace")
   * @param rfAdvice appended to the replication-factor refusal
   */
  private static Plan removalBlocked(
      PlanInput in,
      String target,
      Map<String, Integer> replicas,
      boolean rollout,
      String removing,
      String step,
      String rfAdvice) {
    var members = in.ring().members().size();
    if (members - 1 < in.replicationFactor()) {
      return blocked(
          replicas,
          rollout,
          "ReplicationFactorNotMet",
          removing
              + " "
              + target
              + " would leave "
              + (members - 1)
              + " nodes for replication factor "
              + in.replicationFactor()
              + rfAdvice);
    }
    var unsafe = ringUnsafe(in);
    if (unsafe != null) {
      return blocked(replicas, rollout, unsafe.reason(), step + " waits: " + unsafe.message());
    }
    var info = in.ring().nodeInfos().get(target);
    var targetHints = info == null ? 0 : info.hintsPending();
    if (targetHints > 0) {
      return blocked(
          replicas,
          rollout,
          "HintsPending",
          step + " waits for " + target + " to deliver its " + targetHints + " hints");
    }
    return null;
  }

  /**
   * A replace removes the node of a pod the StatefulSet keeps (only its highest ordinal can go):
   * the node decommissions like a scale-down, then its claim and pod are deleted and the ordinal
   * joins again as a new, empty node (ADR 0005). Same safety checks as a scale-down.
   */
  private static Plan startReplace(PlanInput in, Map<String, Integer> replicas, boolean rollout) {
    var target = in.replaceRequest();
    var pod = in.pods().get(target);
    var rack = pod == null ? null : in.rack(pod.rack());
    if (rack != null && pod.ordinal() >= rack.desiredReplicas()) {
      // a pod the StatefulSet is removing: its node has left, nothing is left to replace
      return new Plan(replicas, null, List.of(), null, rollout, target);
    }
    if (pod == null || rack == null) {
      var ordinal = ordinalOrMinusOne(target);
      var removed =
          ordinal >= 0
              && in.racks().stream()
                  .anyMatch(
                      r ->
                          target.equals(podName(in, r.rack(), ordinal))
                              && ordinal >= r.desiredReplicas());
      if (removed) {
        // the pod was scaled away: its node is gone, nothing is left to replace
        return new Plan(replicas, null, List.of(), null, rollout, target);
      }
      return blocked(
          replicas,
          rollout,
          "InvalidReplaceRequest",
          AlliCluster.REPLACE_NODE_ANNOTATION
              + "="
              + target
              + " names no pod of this cluster; remove or correct the annotation");
    }
    if (!in.ring().isMember(target)) {
      return blocked(
          replicas,
          rollout,
          "InvalidReplaceRequest",
          "replace waits: " + target + " is not a ring member");
    }
    var notSafe =
        removalBlocked(
            in, target, replicas, rollout, "replacing", "replace", "; scale up by one first");
    if (notSafe != null) {
      return notSafe;
    }
    var info = in.ring().nodeInfos().get(target);
    var op =
        operation(in, RingOperationType.Replace, target, pod.rack(), Requested)
            .withTarget(pod.uid(), info == null ? null : info.hostId());
    return new Plan(replicas, op, List.of(), null, rollout);
  }

  private static Plan startRestart(PlanInput in, Map<String, Integer> replicas) {
    var unsafe = ringUnsafe(in);
    if (unsafe != null) {
      return blocked(replicas, true, unsafe.reason(), "rolling restart waits: " + unsafe.message());
    }
    if (in.replicationFactor() < 3 && !in.allowQuorumLossOnRestart()) {
      return blocked(
          replicas,
          true,
          "RestartWouldLoseQuorum",
          "with replicationFactor "
              + in.replicationFactor()
              + " a restarting node takes QUORUM"
              + " away from its ranges; annotate allidb.io/allow-quorum-loss-on-restart=true to"
              + " accept that");
    }
    var target = stalePods(in).get(0);
    var info = in.ring().nodeInfos().get(target.name());
    var op =
        operation(in, RingOperationType.Restart, target.name(), target.rack(), Requested)
            .withTarget(target.uid(), info == null ? null : info.hostId());
    return new Plan(replicas, op, List.of(), null, true);
  }

  private static Plan startJoin(PlanInput in, Map<String, Integer> replicas, List<RackState> up) {
    var anyPods = in.racks().stream().anyMatch(r -> r.currentReplicas() > 0);
    if (anyPods) {
      // bootstrap barrier: a node joins only when everyone sees everyone UP and NORMAL
      var unsafe = ringUnsafe(in);
      if (unsafe != null) {
        return blocked(replicas, false, unsafe.reason(), "next join waits: " + unsafe.message());
      }
      // The StatefulSets, not status, say which pods should exist: a reconcile that read a status
      // one write behind must not start a join while an earlier pod has not joined yet.
      var pending = podNotYetJoined(in);
      if (pending != null) {
        return blocked(
            replicas,
            false,
            "PreviousJoinPending",
            "next join waits: " + pending + " is not yet a ready, NORMAL member");
      }
    }
    // keep racks balanced: grow the smallest rack first, spec order breaks ties
    var rack = up.stream().min(Comparator.comparingInt(RackState::currentReplicas)).orElseThrow();
    var ordinal = rack.currentReplicas();
    replicas.put(rack.rack(), ordinal + 1);
    var op =
        operation(
            in, RingOperationType.Join, podName(in, rack.rack(), ordinal), rack.rack(), Joining);
    return new Plan(replicas, op, List.of(), null, false);
  }

  // ---- continuing an operation -----------------------------------------------------------

  private static Plan continueOperation(
      PlanInput in, Map<String, Integer> replicas, boolean rollout) {
    var op = in.inFlight();
    return switch (op.getType()) {
      case Join -> continueJoin(in, replicas, rollout, op);
      case Decommission -> continueDecommission(in, replicas, rollout, op);
      case Restart -> continueRestart(in, replicas, rollout, op);
      case Replace -> continueReplace(in, replicas, rollout, op);
    };
  }

  private static Plan continueJoin(
      PlanInput in, Map<String, Integer> replicas, boolean rollout, RingOperation op) {
    var target = op.getTargetPod();
    var ordinal = Names.ordinalOf(target);
    var rack = in.rack(op.getRack());
    var pod = in.pods().get(target);
    if (rack != null && rack.desiredReplicas() <= ordinal && !in.ring().isMember(target)) {
      // the desired size dropped before the node joined: roll back, nothing was streamed to it
      replicas.put(op.getRack(), Math.min(replicas.get(op.getRack()), ordinal));
      return new Plan(replicas, null, claimActions(in, target), null, rollout);
    }
    replicas.put(op.getRack(), Math.max(replicas.getOrDefault(op.getRack(), 0), ordinal + 1));
    var joined =
        pod != null
            && pod.ready()
            && in.ring().stateOf(target) == RingMemberState.NORMAL
            && in.ring().allSeeAllUp();
    // once it joined, finish; a smaller desired size is then a normal scale-down
    return new Plan(replicas, joined ? null : op, List.of(), null, rollout);
  }

  private static Plan continueDecommission(
      PlanInput in, Map<String, Integer> replicas, boolean rollout, RingOperation op) {
    var target = op.getTargetPod();
    var ordinal = Names.ordinalOf(target);
    var rack = in.rack(op.getRack());
    var state = in.ring().stateOf(target);
    if (op.getPhase() == Shrinking) {
      replicas.put(op.getRack(), Math.min(replicas.get(op.getRack()), ordinal));
      if (in.pods().containsKey(target)) {
        return new Plan(replicas, op, List.of(), null, rollout); // the pod is still going
      }
      return new Plan(replicas, null, claimActions(in, target), null, rollout);
    }
    if (state == RingMemberState.LEFT) {
      replicas.put(op.getRack(), Math.min(replicas.get(op.getRack()), ordinal));
      return new Plan(replicas, op.withPhase(Shrinking), List.of(), null, rollout);
    }
    if (state == RingMemberState.LEAVING) {
      // a leave cannot be undone: finish it even if the desired size went back up
      return new Plan(replicas, op.withPhase(Leaving), List.of(), null, rollout);
    }
    if (state == RingMemberState.UNKNOWN || state == RingMemberState.DOWN) {
      return new Plan(replicas, op, List.of(), null, rollout);
    }
    // NORMAL (or JOINING): the node has not started leaving
    var stillWanted = rack != null && rack.desiredReplicas() > ordinal;
    if (stillWanted && op.getPhase() == Requested) {
      return new Plan(replicas, null, List.of(), null, rollout); // cancelled before it began
    }
    var unsafe = ringUnsafe(in);
    if (unsafe != null) {
      return new Plan(replicas, op, List.of(), unsafe, rollout);
    }
    // Requested, or Leaving but the node fell back to NORMAL (its leave failed): ask (again)
    return new Plan(
        replicas, op.withPhase(Requested), List.of(new Action.Decommission(target)), null, rollout);
  }

  private static Plan continueRestart(
      PlanInput in, Map<String, Integer> replicas, boolean rollout, RingOperation op) {
    var target = op.getTargetPod();
    var pod = in.pods().get(target);
    var recreated = pod == null || !Objects.equals(pod.uid(), op.getTargetPodUid());
    if (op.getPhase() == Requested && !recreated) {
      var unsafe = ringUnsafe(in);
      if (unsafe != null) {
        return new Plan(replicas, op, List.of(), unsafe, rollout);
      }
      return new Plan(
          replicas, op.withPhase(Restarting), List.of(new Action.Restart(target)), null, true);
    }
    var back =
        pod != null
            && recreated
            && pod.ready()
            && in.ring().stateOf(target) == RingMemberState.NORMAL
            && in.ring().allSeeAllUp();
    return new Plan(replicas, back ? null : op.withPhase(Restarting), List.of(), null, rollout);
  }

  private static Plan continueReplace(
      PlanInput in, Map<String, Integer> replicas, boolean rollout, RingOperation op) {
    var target = op.getTargetPod();
    var pod = in.pods().get(target);
    var recreated = pod != null && !Objects.equals(pod.uid(), op.getTargetPodUid());
    if (op.getPhase() == Replacing || recreated) {
      // a recreated pod means the deletes ran (perhaps before a crash lost the status write): its
      // node is the new one, and must never be asked to leave
      var back =
          recreated
              && pod.ready()
              && in.ring().stateOf(target) == RingMemberState.NORMAL
              && in.ring().allSeeAllUp();
      return back
          ? new Plan(replicas, null, List.of(), null, rollout, target)
          : new Plan(replicas, op.withPhase(Replacing), List.of(), null, rollout);
    }
    var state = in.ring().stateOf(target);
    if (state == RingMemberState.LEFT) {
      // claim first: the StatefulSet recreates a missing pod with its claim if that still exists
      return new Plan(
          replicas,
          op.withPhase(Replacing),
          List.of(new Action.DeleteClaim(Names.dataClaim(target)), new Action.DeletePod(target)),
          null,
          rollout);
    }
    if (state == RingMemberState.LEAVING) {
      return new Plan(replicas, op.withPhase(Leaving), List.of(), null, rollout);
    }
    if (state == RingMemberState.UNKNOWN || state == RingMemberState.DOWN) {
      return new Plan(replicas, op, List.of(), null, rollout);
    }
    if (op.getPhase() == Requested && !target.equals(in.replaceRequest())) {
      return new Plan(replicas, null, List.of(), null, rollout); // withdrawn before it began
    }
    var unsafe = ringUnsafe(in);
    if (unsafe != null) {
      return new Plan(replicas, op, List.of(), unsafe, rollout);
    }
    return new Plan(
        replicas, op.withPhase(Requested), List.of(new Action.Decommission(target)), null, rollout);
  }

  // ---- helpers ---------------------------------------------------------------------------

  /** Null when every pod is ready and the ring is stable; otherwise why not. */
  static Blocked ringUnsafe(PlanInput in) {
    if (!in.ring().known()) {
      return new Blocked("RingUnknown", "no node admin API answered");
    }
    if (!in.ring().unreachable().isEmpty()) {
      return new Blocked("NodesUnreachable", "no answer from " + in.ring().unreachable());
    }
    var notReady = in.pods().values().stream().filter(p -> !p.ready()).map(PodState::name).toList();
    if (!notReady.isEmpty()) {
      return new Blocked("PodsNotReady", "pods not ready: " + notReady);
    }
    if (!in.ring().stable()) {
      return new Blocked("RingNotStable", "not every node sees every other UP and NORMAL");
    }
    return null;
  }

  static boolean rolloutPending(PlanInput in) {
    return !stalePods(in).isEmpty();
  }

  /** Pods on an old template, highest ordinal of the last rack first (like a StatefulSet). */
  static List<PodState> stalePods(PlanInput in) {
    var stale = new ArrayList<PodState>();
    for (var rack : in.racks()) {
      in.pods().values().stream()
          .filter(p -> p.rack().equals(rack.rack()) && !p.terminating())
          .filter(p -> !Objects.equals(p.templateHash(), rack.desiredHash()))
          .sorted(Comparator.comparingInt(PodState::ordinal).reversed())
          .forEach(stale::add);
    }
    return stale;
  }

  private static List<Action> claimActions(PlanInput in, String pod) {
    return in.onScaleDown() == PvcRetention.Delete
        ? List.of(new Action.DeleteClaim(Names.dataClaim(pod)))
        : List.of();
  }

  /** The first pod the StatefulSets already have that is not a ready, NORMAL ring member. */
  private static String podNotYetJoined(PlanInput in) {
    for (var rack : in.racks()) {
      for (int ordinal = 0; ordinal < rack.currentReplicas(); ordinal++) {
        var name = podName(in, rack.rack(), ordinal);
        var pod = in.pods().get(name);
        if (pod == null || !pod.ready() || in.ring().stateOf(name) != RingMemberState.NORMAL) {
          return name;
        }
      }
    }
    return null;
  }

  private static Plan blocked(
      Map<String, Integer> replicas, boolean rollout, String reason, String message) {
    return new Plan(replicas, null, List.of(), new Blocked(reason, message), rollout);
  }

  private static RingOperation operation(
      PlanInput in, RingOperationType type, String pod, String rack, RingOperationPhase phase) {
    return new RingOperation(type, pod, rack, phase, in.now().toString(), in.generation());
  }

  private static int ordinalOrMinusOne(String pod) {
    var dash = pod.lastIndexOf('-');
    try {
      return dash < 0 ? -1 : Integer.parseInt(pod.substring(dash + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String podName(PlanInput in, String rack, int ordinal) {
    return in.clusterName() + "-" + rack + "-" + ordinal;
  }
}
