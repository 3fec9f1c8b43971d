package io.allidb.dataplane.cluster.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.dataplane.cluster.gossip.GossipClusterView;
import io.allidb.dataplane.cluster.proto.EndpointState;
import io.allidb.dataplane.cluster.proto.NodeStatus;
import io.allidb.dataplane.cluster.ring.TokenAllocator;
import io.allidb.dataplane.cluster.ring.TokenRing;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Two nodes that start joining at once (the simulated cluster's 5 -> 3 finding, docs/operator.md):
 * both learn the ring {n1}, both pass "no other change in flight" before either has published its
 * tokens, and both allocate from the same ring, so both take the same tokens (allocation is a
 * function of the ring). Had both bootstrapped, the ring would keep only the one with the lower
 * (epoch, host id) while gossip showed both NORMAL: a ring of n1, n2, n4 under four NORMAL members,
 * where n4's decommission was refused for keeping "2 members". The later claimant must step back
 * after its settle delay instead.
 */
class ConcurrentJoinTest {
  private static final int VNODES = 16;
  private static final int RF = 3;

  @Test
  void twoNodesJoiningOneRingAtOnceTakeTheSameTokens() {
    TokenRing one = TokenRing.of(1, List.of(member("n1")));
    assertThat(TokenAllocator.allocate(one, "n2", "r", VNODES, RF))
        .isEqualTo(TokenAllocator.allocate(one, "n3", "r", VNODES, RF));
  }

  @Test
  void bothBootstrappedTheRingDropsOneWhileGossipShowsBothNormal() {
    TokenRing one = TokenRing.of(1, List.of(member("n1")));
    List<Long> same = TokenAllocator.allocate(one, "n2", "r", VNODES, RF);
    TokenRing withN2 =
        TokenRing.of(2, List.of(member("n1"), new TokenRing.Member("n2", "r", same)));
    List<Long> n4 = TokenAllocator.allocate(withN2, "n4", "r", VNODES, RF);
    var states =
        List.of(
            state("n1", NodeStatus.NORMAL, 1, 0, one.members().get("n1").tokens()),
            state("n2", NodeStatus.NORMAL, 2, 0, same),
            state("n3", NodeStatus.NORMAL, 3, 0, same),
            state("n4", NodeStatus.NORMAL, 4, 0, n4));
    assertThat(GossipClusterView.buildRing(states).hostIds())
        .as("four NORMAL members, three in the ring")
        .containsExactlyInAnyOrder("n1", "n2", "n4");
  }

  @Test
  void theLaterClaimantStepsBackAndTheEarlierProceeds() {
    List<Long> same =
        TokenAllocator.allocate(TokenRing.of(1, List.of(member("n1"))), "n2", "r", VNODES, RF);
    var n1 = state("n1", NodeStatus.NORMAL, 1, 0, TokenAllocator.evenlySpaced("n1", VNODES));
    var n2 = state("n2", NodeStatus.JOINING, 1, 1_000, same);
    var n3 = state("n3", NodeStatus.JOINING, 1, 1_500, same);
    var states = List.of(n1, n2, n3);

    assertThat(RingChangeClaims.joinConflict(states, "n3", 1_500, same))
        .hasValueSatisfying(why -> assertThat(why).contains("n2 is JOINING"));
    assertThat(RingChangeClaims.joinConflict(states, "n2", 1_000, same)).isEmpty();
  }

  @Test
  void equalClaimsAreSettledByTheLowerHostId() {
    List<Long> same =
        TokenAllocator.allocate(TokenRing.of(1, List.of(member("n1"))), "n2", "r", VNODES, RF);
    var states =
        List.of(
            state("n2", NodeStatus.JOINING, 1, 1_000, same),
            state("n3", NodeStatus.JOINING, 1, 1_000, same));
    assertThat(RingChangeClaims.joinConflict(states, "n3", 1_000, same)).isPresent();
    assertThat(RingChangeClaims.joinConflict(states, "n2", 1_000, same)).isEmpty();
  }

  @Test
  void aJoinerWhoseRivalAlreadyTurnedNormalWithItsTokensStepsBack() {
    // the earlier joiner streamed and turned NORMAL within the later one's settle delay: no longer
    // a rival claim, but it owns the tokens the later one published
    List<Long> same =
        TokenAllocator.allocate(TokenRing.of(1, List.of(member("n1"))), "n2", "r", VNODES, RF);
    var states =
        List.of(
            state("n2", NodeStatus.NORMAL, 2, 0, same),
            state("n3", NodeStatus.JOINING, 1, 1_500, same));
    assertThat(RingChangeClaims.joinConflict(states, "n3", 1_500, same))
        .hasValueSatisfying(why -> assertThat(why).contains("already n2's"));
  }

  @Test
  void aJoinerWithItsOwnTokensAndNoEarlierClaimProceeds() {
    TokenRing one = TokenRing.of(1, List.of(member("n1")));
    List<Long> n2 = TokenAllocator.allocate(one, "n2", "r", VNODES, RF);
    var states =
        List.of(
            state("n1", NodeStatus.NORMAL, 1, 0, one.members().get("n1").tokens()),
            state("n2", NodeStatus.JOINING, 1, 1_000, n2),
            state("n3", NodeStatus.JOINING, 0, 0, List.of())); // still learning the ring
    assertThat(RingChangeClaims.joinConflict(states, "n2", 1_000, n2)).isEmpty();
  }

  private static TokenRing.Member member(String host) {
    return new TokenRing.Member(host, "r", TokenAllocator.evenlySpaced(host, VNODES));
  }

  private static EndpointState state(
      String host, NodeStatus status, long epoch, long claim, List<Long> tokens) {
    return EndpointState.newBuilder()
        .setHostId(host)
        .setRack("r")
        .setStatus(status)
        .setRingEpoch(epoch)
        .setChangeStartedMicros(claim)
        .addAllTokens(tokens)
        .build();
  }
}
