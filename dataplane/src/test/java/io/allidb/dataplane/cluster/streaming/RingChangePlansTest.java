package io.allidb.dataplane.cluster.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.dataplane.cluster.gossip.GossipClusterView;
import io.allidb.dataplane.cluster.proto.EndpointState;
import io.allidb.dataplane.cluster.proto.NodeStatus;
import io.allidb.dataplane.cluster.ring.TokenAllocator;
import io.allidb.dataplane.cluster.ring.TokenRange;
import io.allidb.dataplane.cluster.ring.TokenRing;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which ranges move in a join and a leave, and the future ring coordinators write ahead to. */
class RingChangePlansTest {
  private static final int RF = 3;

  /** n1..n{count} on one rack each, tokens from the allocator, joined one at a time. */
  private static TokenRing ring(int count) {
    TokenRing ring = TokenRing.empty();
    for (int i = 1; i <= count; i++) {
      var members = new ArrayList<>(ring.members().values());
      String host = "n" + i;
      members.add(
          new TokenRing.Member(
              host, "rack-" + i, TokenAllocator.allocate(ring, host, "rack-" + i, 16, RF)));
      ring = TokenRing.of(i, members);
    }
    return ring;
  }

  @Test
  void decommissionSendsEachRangeToTheReplicasItGainsFromTheLeavingNode() {
    TokenRing four = ring(4);
    TokenRing three = DecommissionPlan.without(four, "n4");
    var transfers = DecommissionPlan.transfers(four, "n4", RF, h -> true);
    assertThat(transfers).isNotEmpty();
    for (TokenRange r : four.ranges()) {
      List<String> now = four.replicasFor(r.end(), RF);
      var gained = new HashSet<>(three.replicasFor(r.end(), RF));
      gained.removeAll(now);
      var planned = new HashSet<String>();
      for (var t : transfers) {
        if (t.range().equals(r)) {
          assertThat(t.source()).isEqualTo(now.contains("n4") ? "n4" : now.get(0));
          planned.add(t.target());
        }
      }
      assertThat(planned).as("targets of %s", r).isEqualTo(gained);
    }
  }

  @Test
  void removalPullsEachGainedRangeFromEverySurvivingReplicaAndNeverFromTheDeadOne() {
    TokenRing four = ring(4);
    TokenRing three = DecommissionPlan.without(four, "n4");
    var transfers = DecommissionPlan.removalTransfers(four, "n4", RF, h -> !h.equals("n4"));
    assertThat(transfers).isNotEmpty();
    for (TokenRange r : four.ranges()) {
      List<String> now = four.replicasFor(r.end(), RF);
      var gained = new HashSet<>(three.replicasFor(r.end(), RF));
      gained.removeAll(now);
      var survivors = new HashSet<>(now);
      survivors.remove("n4");
      for (String target : gained) {
        var sources = new HashSet<String>();
        for (var t : transfers) {
          if (t.range().equals(r) && t.target().equals(target)) {
            sources.add(t.source());
          }
        }
        assertThat(sources).as("sources of %s for %s", r, target).isEqualTo(survivors);
      }
    }
    assertThat(transfers).noneMatch(t -> t.source().equals("n4") || t.target().equals("n4"));
  }

  @Test
  void bootstrapPullsEveryRangeTheNewNodeWillReplicateFromAReplicaThatHadIt() {
    TokenRing three = ring(3);
    TokenRing four = ring(4);
    var transfers = Bootstrap.transfers(three, four, "n4", RF, h -> !h.equals("n1"));
    int expected = 0;
    for (TokenRange r : four.ranges()) {
      if (four.replicasFor(r.end(), RF).contains("n4")) {
        expected++;
      }
    }
    assertThat(transfers).hasSize(expected).isNotEmpty();
    for (var t : transfers) {
      assertThat(t.target()).isEqualTo("n4");
      assertThat(three.replicasFor(t.range().end(), RF)).contains(t.source());
      assertThat(t.source()).as("a down replica is never the source").isNotEqualTo("n1");
    }
  }

  @Test
  void futureRingHasJoiningMembersWithTokensAndNoLeavingOnes() {
    TokenRing four = ring(4);
    var states = new ArrayList<EndpointState>();
    for (var m : four.members().values()) {
      NodeStatus status =
          switch (m.hostId()) {
            case "n2" -> NodeStatus.LEAVING;
            case "n4" -> NodeStatus.JOINING;
            default -> NodeStatus.NORMAL;
          };
      states.add(
          EndpointState.newBuilder()
              .setHostId(m.hostId())
              .setRack(m.rack())
              .setStatus(status)
              .addAllTokens(m.tokens())
              .build());
    }
    assertThat(GossipClusterView.buildRing(states).hostIds()).containsExactly("n1", "n2", "n3");
    assertThat(GossipClusterView.buildFutureRing(states).hostIds())
        .containsExactly("n1", "n3", "n4");
  }
}
