package io.allidb.operator.reconcile;

import static io.allidb.operator.reconcile.PlannerWorld.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.operator.api.RingMemberState;
import io.allidb.operator.api.RingOperationPhase;
import io.allidb.operator.api.RingOperationType;
import org.junit.jupiter.api.Test;

/** The Replace state machine (annotation allidb.io/replace-node, ADR 0005), step by step. */
class RingPlannerReplaceTest {

  @Test
  void theNamedNodeLeavesThenItsClaimAndPodGoAndAFreshNodeJoinsOnTheSameOrdinal() {
    var world = PlannerWorld.settled(4);
    world.replaceAnnotation = pod(1);

    var plan = world.step();
    assertThat(plan.actions()).as("intent is recorded before anything is asked").isEmpty();
    assertThat(world.operation.getType()).isEqualTo(RingOperationType.Replace);
    assertThat(world.operation.getTargetPod()).isEqualTo(pod(1));
    assertThat(world.operation.getTargetPodUid()).isEqualTo(world.pods.get(pod(1)).uid());

    plan = world.step();
    assertThat(plan.actions()).containsExactly(new Action.Decommission(pod(1)));
    world.step();
    assertThat(world.operation.getPhase()).isEqualTo(RingOperationPhase.Leaving);

    world.ring.left(pod(1));
    plan = world.step();
    assertThat(plan.actions())
        .as("claim first, so the recreated pod cannot mount the old volume")
        .containsExactly(new Action.DeleteClaim("data-" + pod(1)), new Action.DeletePod(pod(1)));
    assertThat(world.operation.getPhase()).isEqualTo(RingOperationPhase.Replacing);
    assertThat(world.current).as("the StatefulSet keeps its size").isEqualTo(4);

    world.kubelet(); // pod 1 recreated, not ready, not a member yet
    world.step();
    assertThat(world.operation.getPhase()).isEqualTo(RingOperationPhase.Replacing);
    assertThat(world.replacedNode).isNull();

    world.joined(1);
    plan = world.step();
    assertThat(world.operation).isNull();
    assertThat(world.replacedNode).isEqualTo(pod(1));
    world.step();
    assertThat(world.operation).as("acted on once per annotation value").isNull();
    assertThat(world.ring.calls()).containsExactly("decommission " + pod(1));
  }

  @Test
  void aRecreatedPodIsNeverAskedToLeaveAfterAStatusWriteWasLost() {
    var world = PlannerWorld.settled(4);
    world.replaceAnnotation = pod(2);
    world.step();
    world.step();
    world.step(); // Leaving recorded
    world.ring.left(pod(2));
    var lost = world.operation; // the reconcile that deleted claim and pod died before its write
    world.step();
    world.operation = lost;
    world.kubelet();
    world.ring.put(pod(2), PlannerWorld.RACK, RingMemberState.JOINING);

    var plan = world.step();
    assertThat(plan.actions()).isEmpty();
    assertThat(world.operation.getPhase()).isEqualTo(RingOperationPhase.Replacing);
    world.ready(2);
    world.ring.normal(pod(2), PlannerWorld.RACK);
    world.step();
    assertThat(world.operation).isNull();
    assertThat(world.ring.calls()).containsExactly("decommission " + pod(2));
  }

  @Test
  void aWithdrawnRequestIsCancelledBeforeTheLeaveStarts() {
    var world = PlannerWorld.settled(4);
    world.replaceAnnotation = pod(0);
    world.step();
    world.replaceAnnotation = null;
    var plan = world.step();
    assertThat(plan.operation()).isNull();
    assertThat(world.ring.calls()).isEmpty();
  }

  @Test
  void refusedWhenItWouldBreakTheReplicationFactorOrNamesNoPod() {
    var world = PlannerWorld.settled(3);
    world.replaceAnnotation = pod(1);
    var plan = world.step();
    assertThat(plan.operation()).isNull();
    assertThat(plan.blocked().reason()).isEqualTo("ReplicationFactorNotMet");

    world = PlannerWorld.settled(4);
    world.replaceAnnotation = "demo-default-x";
    plan = world.step();
    assertThat(plan.blocked().reason()).isEqualTo("InvalidReplaceRequest");
    assertThat(plan.blocked().message()).contains("allidb.io/replace-node=demo-default-x");
  }

  @Test
  void aScaleDownGoesFirstAndANamedPodItRemovedNeedsNoReplace() {
    var world = PlannerWorld.settled(5);
    world.desired = 4;
    world.replaceAnnotation = pod(4);
    world.step();
    assertThat(world.operation.getType()).isEqualTo(RingOperationType.Decommission);
    world.step();
    world.ring.left(pod(4));
    world.step();
    world.kubelet();
    var plan = world.step();
    assertThat(plan.operation()).isNull();
    assertThat(world.replacedNode).as("nothing left to replace").isEqualTo(pod(4));
    assertThat(world.ring.calls()).containsExactly("decommission " + pod(4));
  }
}
