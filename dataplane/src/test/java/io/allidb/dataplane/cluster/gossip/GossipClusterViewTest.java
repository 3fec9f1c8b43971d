package io.allidb.dataplane.cluster.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.dataplane.cluster.proto.EndpointState;
import io.allidb.dataplane.cluster.proto.NodeStatus;
import io.allidb.dataplane.cluster.ring.TokenRing;
import java.util.List;
import org.junit.jupiter.api.Test;

class GossipClusterViewTest {

  private static EndpointState state(String host, NodeStatus status, long epoch, Long... tokens) {
    return EndpointState.newBuilder()
        .setHostId(host)
        .setRack("r")
        .setStatus(status)
        .setRingEpoch(epoch)
        .addAllTokens(List.of(tokens))
        .build();
  }

  @Test
  void onlyNormalAndLeavingMembersOwnTokens() {
    TokenRing ring =
        GossipClusterView.buildRing(
            List.of(
                state("a", NodeStatus.NORMAL, 1, 10L),
                state("b", NodeStatus.LEAVING, 2, 20L),
                state("c", NodeStatus.JOINING, 0, 30L),
                state("d", NodeStatus.LEFT, 4, 40L)));
    assertThat(ring.hostIds()).containsExactlyInAnyOrder("a", "b");
    // the LEFT member's epoch counts: its leaving was the last ring change
    assertThat(ring.epoch()).isEqualTo(4);
  }

  @Test
  void aClashingTokenStaysWithTheEarlierMemberWhateverTheOrder() {
    var a = state("a", NodeStatus.NORMAL, 1, 10L, 50L);
    var b = state("b", NodeStatus.NORMAL, 2, 20L, 50L);
    TokenRing one = GossipClusterView.buildRing(List.of(a, b));
    TokenRing other = GossipClusterView.buildRing(List.of(b, a));
    assertThat(one).isEqualTo(other);
    assertThat(one.members().get("a").tokens()).containsExactly(10L, 50L);
    assertThat(one.members().get("b").tokens()).containsExactly(20L);
  }

  @Test
  void noStatesGiveAnEmptyRing() {
    assertThat(GossipClusterView.buildRing(List.of()).isEmpty()).isTrue();
  }
}
