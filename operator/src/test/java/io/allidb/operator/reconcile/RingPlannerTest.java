package io.allidb.operator.reconcile;

import static io.allidb.operator.reconcile.PlannerWorld.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.operator.api.PvcRetention;
import io.allidb.operator.api.RingMemberState;
import io.allidb.operator.api.RingOperationPhase;
import io.allidb.operator.api.RingOperationType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The planner's state machines, driven step by step through a {@link PlannerWorld}. */
class RingPlannerTest {

  @Test
  void scaleUpJoinsOneNodeAtATimeBehindTheBarrier() {
    var world = new PlannerWorld();
    world.desired = 3;

    world.step();
    assertThat(world.current).isEqualTo(1);
    assertThat(world.operation.getType()).isEqualTo(RingOperationType.Join);
    assertThat(world.operation.getTargetPod()).isEqualTo(pod(0));

    world.kubelet();
    world.step();
    assertThat(world.current).as("pod 0 not NORMAL yet: no second join").isEqualTo(1);

    world.joined(0);
    world.step(); // join of pod 0 completes and pod 1 starts joining in the same reconcile
    assertThat(world.current).isEqualTo(2);
    assertThat(world.operation.getTargetPod()).isEqualTo(pod(1));

    world.kubelet();
    world.ready(1);
    world.ring.put(pod(1), "default", RingMemberState.JOINING);
    world.step();
    assertThat(world.current).as("pod 1 still JOINING").isEqualTo(2);

    world.ring.normal(pod(1), "default");
    world.step();
    world.step();
    world.joined(2);
    world.step();
    world.step();
    assertThat(world.current).isEqualTo(3);
    assertThat(world.operation).isNull();
    assertThat(world.lastPlan.busy()).isFalse();
  }

  @Test
  void aStaleStatusNeverStartsASecondJoinBeforeThePodTheStatefulSetAlreadyHasJoined() {
    // Found by AlliClusterOperatorIT: a reconcile read the AlliCluster from a cache one status
    // write behind (pod 0's join still in flight) while the StatefulSet already had 2 replicas.
    // Pod 0's join then looked complete and the next join went to pod 2, skipping pod 1.
    var world = new PlannerWorld();
    world.desired = 3;
    world.step();
    world.joined(0);
    var staleOperation = world.operation; // the join of pod 0, as the stale copy still holds it
    world.step(); // grows the StatefulSet to 2 for pod 1
    assertThat(world.current).isEqualTo(2);
    // the StatefulSet controller has not created pod 1 yet

    world.operation = staleOperation;
    var plan = world.step();
    assertThat(world.current).as("no third pod while pod 1 has not joined").isEqualTo(2);
    assertThat(plan.operation() == null ? null : plan.operation().getTargetPod())
        .isNotEqualTo(pod(2));
  }

  @Test
  void barrierHoldsBackAJoinWhileANodeSeesAPeerDownOrViewsDiffer() {
    var world = PlannerWorld.settled(3);
    world.desired = 4;
    world.ring.hideFrom(pod(0), pod(2));

    var plan = world.step();
    assertThat(plan.operation()).isNull();
    assertThat(plan.blocked().reason()).isEqualTo("RingNotStable");
    assertThat(world.current).isEqualTo(3);
  }

  @Test
  void scaleDownDecommissionsWaitsForLeftShrinksThenDeletesTheClaim() {
    var world = PlannerWorld.settled(5);
    world.onScaleDown = PvcRetention.Delete;
    world.desired = 4;

    var plan = world.step();
    assertThat(plan.actions()).as("intent is recorded before anything is asked").isEmpty();
    assertThat(world.operation.getPhase()).isEqualTo(RingOperationPhase.Requested);
    assertThat(world.operation.getTargetPod()).isEqualTo(pod(4));
    assertThat(world.operation.getHostId()).isEqualTo("host-" + pod(4));

    plan = world.step();
    assertThat(plan.actions()).containsExactly(new Action.Decommission(pod(4)));
    assertThat(world.state(4)).isEqualTo(RingMemberState.LEAVING);

    world.step();
    assertThat(world.operation.getPhase()).isEqualTo(RingOperationPhase.Leaving);
    assertThat(world.current).as("never shrink before LEFT").isEqualTo(5);

    world.ring.left(pod(4));
    world.step();
    assertThat(world.operation.getPhase()).isEqualTo(RingOperationPhase.Shrinking);
    assertThat(world.current).isEqualTo(4);

    world.kubelet();
    plan = world.step();
    assertThat(world.operation).isNull();
    assertThat(plan.actions()).containsExactly(new Action.DeleteClaim("data-" + pod(4)));
  }

  @Test
  void operatorRestartMidDecommissionResumesFromStatus() {
    var world = PlannerWorld.settled(4);
    world.desired = 3;
    world.step();
    world.step(); // decommission asked
    world.step(); // Leaving recorded

    world.restartOperator();
    assertThat(world.operation.getPhase()).isEqualTo(RingOperationPhase.Leaving);
    var plan = world.step();
    assertThat(plan.actions()).as("a LEAVING node is not asked again").isEmpty();
    assertThat(world.ring.calls()).containsExactly("decommission " + pod(3));

    world.ring.left(pod(3));
    world.restartOperator();
    world.step();
    world.restartOperator();
    world.kubelet();
    world.step();
    assertThat(world.current).isEqualTo(3);
    assertThat(world.operation).isNull();
    assertThat(world.actionsRun)
        .as("Retain is the default")
        .containsExactly(new Action.Decommission(pod(3)));
  }

  @Test
  void restartBetweenRecordAndDecommissionCallStillCallsOnce() {
    var world = PlannerWorld.settled(4);
    world.desired = 3;
    world.step(); // Requested, persisted
    world.restartOperator();
    world.step();
    world.step();
    assertThat(world.ring.calls()).containsExactly("decommission " + pod(3));
  }

  @Test
  void desiredSizeBackUpBeforeTheLeaveStartsCancelsIt() {
    var world = PlannerWorld.settled(4);
    world.desired = 3;
    world.step(); // Requested
    world.desired = 4;

    var plan = world.step();
    assertThat(plan.operation()).isNull();
    assertThat(plan.actions()).isEmpty();
    assertThat(world.ring.calls()).isEmpty();
    assertThat(world.current).isEqualTo(4);
  }

  @Test
  void desiredSizeBackUpWhileLeavingFinishesTheLeaveThenJoinsAFreshNode() {
    var world = PlannerWorld.settled(4);
    world.desired = 3;
    world.step();
    world.step(); // LEAVING
    world.desired = 4;

    world.step();
    assertThat(world.operation.getPhase()).isEqualTo(RingOperationPhase.Leaving);
    world.ring.left(pod(3));
    world.step();
    assertThat(world.current).as("a LEFT node is never kept: shrink anyway").isEqualTo(3);
    world.kubelet();
    world.step(); // shrink done; the wanted ordinal comes back as a fresh join
    assertThat(world.operation.getType()).isEqualTo(RingOperationType.Join);
    assertThat(world.operation.getTargetPod()).isEqualTo(pod(3));
    assertThat(world.current).isEqualTo(4);
  }

  @Test
  void desiredSizeDownBeforeAJoinCompletesRollsTheJoinBack() {
    var world = PlannerWorld.settled(3);
    world.desired = 4;
    world.step();
    world.kubelet(); // pod 3 exists, never became a ring member
    world.desired = 3;

    var plan = world.step();
    assertThat(plan.operation()).isNull();
    assertThat(world.current).isEqualTo(3);
    assertThat(world.ring.calls()).isEmpty();
  }

  @Test
  void desiredSizeDownAfterTheNodeJoinedFinishesThenDecommissions() {
    var world = PlannerWorld.settled(3);
    world.desired = 4;
    world.step();
    world.joined(3);
    world.desired = 3;

    world.step();
    assertThat(world.operation.getType())
        .as("joined: the join completes, then a normal scale-down starts")
        .isEqualTo(RingOperationType.Decommission);
    assertThat(world.operation.getTargetPod()).isEqualTo(pod(3));
  }

  @Test
  void scaleDownBelowReplicationFactorIsBlockedNotForced() {
    var world = PlannerWorld.settled(3);
    world.desired = 2;

    var plan = world.step();
    assertThat(plan.operation()).isNull();
    assertThat(plan.blocked().reason()).isEqualTo("ReplicationFactorNotMet");
    assertThat(world.current).isEqualTo(3);
  }

  @Test
  void scaleDownWaitsForHintsAndForUnreachableNodes() {
    var world = PlannerWorld.settled(4);
    world.desired = 3;
    world.ring.hintsPending(12);
    assertThat(world.step().blocked().reason()).isEqualTo("HintsPending");

    world.ring.hintsPending(0);
    world.ring.unreachable(pod(1), true);
    assertThat(world.step().blocked().reason()).isEqualTo("NodesUnreachable");

    world.ring.unreachable(pod(1), false);
    assertThat(world.step().operation().getType()).isEqualTo(RingOperationType.Decommission);
  }

  @Test
  void rollingRestartRestartsOnePodAtATimeHighestOrdinalFirst() {
    var world = PlannerWorld.settled(3);
    world.hash = "h2";

    var plan = world.step();
    assertThat(plan.actions()).isEmpty();
    assertThat(world.operation.getTargetPod()).isEqualTo(pod(2));

    plan = world.step();
    assertThat(plan.actions()).containsExactly(new Action.Restart(pod(2)));
    world.kubelet(); // recreated on h2, not ready yet
    world.step();
    assertThat(world.operation.getPhase()).isEqualTo(RingOperationPhase.Restarting);
    world.step();
    assertThat(world.ring.calls()).as("one at a time").containsExactly("drain " + pod(2));

    world.ready(2);
    world.step(); // pod 2 back: done, and pod 1 is next
    assertThat(world.operation.getTargetPod()).isEqualTo(pod(1));
    assertThat(world.operation.getPhase()).isEqualTo(RingOperationPhase.Requested);
  }

  @Test
  void rollingRestartWaitsWhileAnotherNodeIsDown() {
    var world = PlannerWorld.settled(3);
    world.hash = "h2";
    world.ring.state(pod(0), RingMemberState.DOWN);

    var plan = world.step();
    assertThat(plan.operation()).isNull();
    assertThat(plan.blocked().reason()).isEqualTo("RingNotStable");
    assertThat(plan.rolloutPending()).isTrue();
  }

  @Test
  void rollingRestartWithReplicationFactorBelowThreeNeedsExplicitConsent() {
    var world = PlannerWorld.settled(2);
    world.replicationFactor = 2;
    world.hash = "h2";
    assertThat(world.step().blocked().reason()).isEqualTo("RestartWouldLoseQuorum");

    world.allowQuorumLoss = true;
    assertThat(world.step().operation().getType()).isEqualTo(RingOperationType.Restart);
  }

  @Test
  void restartRecordedThenPodDeletedBeforeStatusWriteIsNotRestartedTwice() {
    var world = PlannerWorld.settled(3);
    world.hash = "h2";
    world.step(); // Requested (persisted)
    var recorded = world.operation;
    world.step(); // drain + delete; suppose the status write of Restarting is lost
    world.operation = recorded;
    world.kubelet();

    var plan = world.step();
    assertThat(plan.actions()).as("new pod uid: it was already restarted").isEmpty();
    assertThat(world.ring.calls()).containsExactly("drain " + pod(2));
  }

  @Test
  void scaleDownComesBeforeRestartsSoALeavingNodeIsNotRestarted() {
    var world = PlannerWorld.settled(4);
    world.hash = "h2";
    world.desired = 3;
    world.step();
    assertThat(world.operation.getType()).isEqualTo(RingOperationType.Decommission);
    assertThat(List.of(world.lastPlan.rolloutPending())).containsExactly(true);
  }
}
