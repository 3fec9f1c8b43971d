package io.allidb.operator.reconcile;

import io.allidb.operator.api.AlliCluster;
import io.allidb.operator.api.AlliClusterConditions;
import io.allidb.operator.api.AlliClusterStatus;
import io.allidb.operator.api.RingOperation;
import io.allidb.operator.day2.ClusterEvents;
import java.util.Objects;

/**
 * Kubernetes events for ring steps, so {@code kubectl describe allicluster} tells the story of a
 * scale or restart: {@code JoinStarted}/{@code JoinCompleted}, {@code DecommissionStarted}/{@code
 * DecommissionCompleted}, {@code RestartStarted}/{@code RestartCompleted}, {@code
 * ReplaceStarted}/{@code ReplaceCompleted} (Normal, per pod), and {@code RingStepBlocked} (Warning)
 * when the planner refuses the next step. Derived from the status before the reconcile and the plan
 * after it, so a refusal is announced when it starts or changes, not at every requeue while it
 * lasts (the Degraded condition carries it meanwhile).
 *
 * <p>At least once: the "before" is the AlliCluster the reconciler read afresh from the API server
 * (the informer's copy can be one status write behind, which could lose {@code Completed} events
 * when one operation ended and the next began at once), and the events are emitted before the
 * status write that records the change, so a reconcile that dies in between repeats them (the same
 * event object, its count bumped). Only a refused event write loses one ({@link ClusterEvents} logs
 * it).
 */
final class RingEvents {
  static final String BLOCKED = "RingStepBlocked";

  private RingEvents() {}

  static void emit(ClusterEvents events, AlliCluster cluster, Plan plan) {
    AlliClusterStatus before = cluster.getStatus();
    var was = before == null ? null : before.getRingOperation();
    var now = plan.operation();
    if (was != null && !same(was, now)) {
      events.normal(
          was.getType() + "Completed",
          was.getType() + "/" + was.getTargetPod(),
          was.getType() + " of " + was.getTargetPod() + " completed" + rack(was));
    }
    if (now != null && !same(was, now)) {
      events.normal(
          now.getType() + "Started",
          now.getType() + "/" + now.getTargetPod(),
          now.getType() + " of " + now.getTargetPod() + " started" + rack(now));
    }
    var blocked = plan.blocked();
    if (blocked != null && !alreadyReported(before, blocked)) {
      events.warning(
          BLOCKED,
          blocked.reason(),
          "next ring step refused: " + blocked.reason() + ": " + blocked.message());
    }
  }

  private static boolean same(RingOperation a, RingOperation b) {
    return a != null
        && b != null
        && a.getType() == b.getType()
        && Objects.equals(a.getTargetPod(), b.getTargetPod());
  }

  private static String rack(RingOperation op) {
    return op.getRack() == null ? "" : " (rack " + op.getRack() + ")";
  }

  /** The previous status already shows this refusal (its Degraded condition). */
  private static boolean alreadyReported(AlliClusterStatus before, Blocked blocked) {
    return before != null
        && before.getConditions().stream()
            .anyMatch(
                c ->
                    AlliClusterConditions.DEGRADED.equals(c.getType())
                        && "True".equals(c.getStatus())
                        && blocked.reason().equals(c.getReason())
                        && blocked.message().equals(c.getMessage()));
  }
}
