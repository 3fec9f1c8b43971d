package io.allidb.operator.reconcile;

import static io.allidb.operator.api.AlliClusterConditions.AVAILABLE;
import static io.allidb.operator.api.AlliClusterConditions.DEGRADED;
import static io.allidb.operator.api.AlliClusterConditions.PROGRESSING;
import static io.allidb.operator.api.AlliClusterConditions.READY;
import static io.allidb.operator.api.AlliClusterConditions.RING_STABLE;
import static io.allidb.operator.api.AlliClusterConditions.SCALING;

import io.allidb.operator.api.AlliCluster;
import io.allidb.operator.api.AlliClusterStatus;
import io.allidb.operator.api.RingMember;
import io.allidb.operator.api.RingOperation;
import io.allidb.operator.api.RingOperationType;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * Builds the status the operator writes: conditions, counts, ring members, the operation in flight.
 * Pure; the reconciler patches the result onto the status subresource.
 */
final class StatusComposer {
  private StatusComposer() {}

  /** Status for a spec the operator refuses: only Degraded/Ready change, the rest is kept. */
  static AlliClusterStatus invalid(AlliCluster cluster, List<String> problems, Instant now) {
    var old = cluster.getStatus() == null ? new AlliClusterStatus() : cluster.getStatus();
    var status = copyOf(old);
    var message = String.join("; ", problems);
    var conditions =
        new Conditions(old.getConditions(), generation(cluster), now)
            .set(READY, false, "InvalidSpec", message)
            .set(DEGRADED, true, "InvalidSpec", message)
            .set(PROGRESSING, false, "InvalidSpec", "no changes until the spec is fixed");
    keepOthers(old, conditions, READY, DEGRADED, PROGRESSING);
    status.setConditions(conditions.build());
    status.setObservedGeneration(generation(cluster));
    return status;
  }

  static AlliClusterStatus compose(
      AlliCluster cluster,
      Observation seen,
      Plan plan,
      String rolloutReason,
      boolean paused,
      Instant now) {
    var spec = cluster.getSpec();
    var status = new AlliClusterStatus();
    status.setObservedGeneration(generation(cluster));
    status.setReplicas(seen.pods().size());
    status.setReadyReplicas(seen.readyPods());
    status.setRingOperation(plan.operation());
    status.setRolloutReason(plan.rolloutPending() ? rolloutReason : null);
    status.setRingMembers(
        seen.ring().members().values().stream()
            .map(m -> new RingMember(m.pod(), m.hostId(), m.rack(), m.state()))
            .sorted(Comparator.comparing(RingMember::getPod))
            .toList());
    status.setRingState(paused ? "Paused" : ringState(seen, plan.operation()));

    var desired = spec.totalReplicas();
    var ring = seen.ring();
    var atSize =
        plan.operation() == null && seen.pods().size() == desired && plan.blocked() == null;
    var quorum = Math.min(desired, spec.getReplicationFactor() / 2 + 1);
    var ready =
        atSize && !plan.rolloutPending() && seen.readyPods() == desired && ring.stable() && !paused;
    var c =
        new Conditions(
            cluster.getStatus() == null ? null : cluster.getStatus().getConditions(),
            generation(cluster),
            now);
    c.set(
        READY,
        ready,
        ready ? "ClusterReady" : "NotReady",
        seen.readyPods() + "/" + desired + " nodes ready, ring " + status.getRingState());
    c.set(
        AVAILABLE,
        seen.readyPods() >= Math.max(1, quorum),
        seen.readyPods() >= Math.max(1, quorum) ? "QuorumReady" : "QuorumNotReady",
        seen.readyPods() + " ready nodes; QUORUM needs " + quorum);
    if (paused) {
      c.set(PROGRESSING, false, "Paused", "changes are paused (spec.paused or allidb.io/paused)");
    } else if (plan.busy() || !atSize) {
      c.set(PROGRESSING, true, progressReason(plan), describe(plan.operation(), plan));
    } else {
      c.set(PROGRESSING, false, "Reconciled", "the cluster matches the spec");
    }
    if (plan.blocked() != null) {
      c.set(DEGRADED, true, plan.blocked().reason(), plan.blocked().message());
    } else if (!ring.unreachable().isEmpty()) {
      c.set(DEGRADED, true, "NodesUnreachable", "no admin answer from " + ring.unreachable());
    } else {
      c.set(DEGRADED, false, "AsExpected", "");
    }
    if (!ring.known()) {
      c.set(RING_STABLE, "Unknown", "RingUnknown", "no node admin API answered");
    } else {
      c.set(
          RING_STABLE,
          ring.stable(),
          ring.stable() ? "AllNodesNormal" : "RingChanging",
          ring.members().size() + " members at epoch " + ring.epoch());
    }
    var op = plan.operation();
    if (op != null
        && (op.getType() == RingOperationType.Join
            || op.getType() == RingOperationType.Decommission)) {
      c.set(
          SCALING,
          true,
          op.getType() == RingOperationType.Join ? "Joining" : "Decommissioning",
          describe(op, plan));
    } else if (plan.blocked() != null && !plan.rolloutPending()) {
      c.set(SCALING, false, plan.blocked().reason(), plan.blocked().message());
    } else {
      c.set(SCALING, false, "AtDesiredSize", seen.pods().size() + "/" + desired + " nodes");
    }
    status.setConditions(c.build());
    return status;
  }

  private static String ringState(Observation seen, RingOperation op) {
    if (op != null) {
      return switch (op.getType()) {
        case Join -> "Joining";
        case Decommission -> "Decommissioning";
        case Restart -> "Restarting";
        case Replace -> "Replacing";
      };
    }
    if (!seen.ring().known()) {
      return seen.pods().isEmpty() ? "Empty" : "Unknown";
    }
    return seen.ring().stable() ? "Stable" : "Unstable";
  }

  private static String progressReason(Plan plan) {
    var op = plan.operation();
    if (op == null) {
      return plan.rolloutPending() ? "RolloutPending" : "Applying";
    }
    return switch (op.getType()) {
      case Join -> "Joining";
      case Decommission -> "Decommissioning";
      case Restart -> "Restarting";
      case Replace -> "Replacing";
    };
  }

  private static String describe(RingOperation op, Plan plan) {
    if (op == null) {
      return plan.blocked() != null ? plan.blocked().message() : "applying the spec";
    }
    return op.getType()
        + " of "
        + op.getTargetPod()
        + ": "
        + op.getPhase()
        + " since "
        + op.getStartedAt();
  }

  private static void keepOthers(AlliClusterStatus old, Conditions into, String... replaced) {
    if (old.getConditions() == null) {
      return;
    }
    var skip = List.of(replaced);
    old.getConditions().stream()
        .filter(c -> !skip.contains(c.getType()))
        .forEach(c -> into.set(c.getType(), c.getStatus(), c.getReason(), c.getMessage()));
  }

  private static AlliClusterStatus copyOf(AlliClusterStatus old) {
    var s = new AlliClusterStatus();
    s.setReplicas(old.getReplicas());
    s.setReadyReplicas(old.getReadyReplicas());
    s.setRingMembers(old.getRingMembers());
    s.setRingOperation(old.getRingOperation());
    s.setRingState(old.getRingState());
    s.setRolloutReason(old.getRolloutReason());
    s.setReplacedNode(old.getReplacedNode());
    s.setCertificates(old.getCertificates());
    s.setApiKeys(old.getApiKeys());
    s.setRepair(old.getRepair());
    return s;
  }

  private static long generation(AlliCluster cluster) {
    var g = cluster.getMetadata().getGeneration();
    return g == null ? 0 : g;
  }
}
