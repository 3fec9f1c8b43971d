package io.allidb.dataplane.cluster.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.allidb.dataplane.cluster.ring.TokenRing.Member;
import io.allidb.dataplane.testing.Seeds;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TokenRingTest {

  /** {@code nodes} members spread round-robin over {@code racks} racks, random tokens. */
  private static List<Member> randomMembers(Random rnd, int nodes, int racks, int vnodes) {
    var out = new ArrayList<Member>();
    var used = new HashSet<Long>();
    for (int n = 0; n < nodes; n++) {
      var tokens = new ArrayList<Long>();
      while (tokens.size() < vnodes) {
        long t = rnd.nextLong();
        if (t != Long.MIN_VALUE && used.add(t)) {
          tokens.add(t);
        }
      }
      out.add(new Member("node-" + n, "rack-" + (n % racks), tokens));
    }
    return out;
  }

  @Test
  void replicaSetsSpanRfDistinctRacksWhenThereAreEnoughRacks() {
    var rnd = new Random(Seeds.seed("replicaSetsSpanRfDistinctRacksWhenThereAreEnoughRacks"));
    for (int racks = 3; racks <= 5; racks++) {
      var ring = TokenRing.of(1, randomMembers(rnd, 3 * racks + 1, racks, 16));
      for (int i = 0; i < 2_000; i++) {
        List<String> replicas = ring.replicasFor(rnd.nextLong(), 3);
        assertThat(replicas).hasSize(3).doesNotHaveDuplicates();
        assertThat(replicas.stream().map(h -> ring.members().get(h).rack()).distinct())
            .as("racks of %s", replicas)
            .hasSize(3);
      }
    }
  }

  @Test
  void withFewerRacksThanRfEveryRackIsUsedAndReplicasAreDistinct() {
    var rnd = new Random(Seeds.seed("withFewerRacksThanRfEveryRackIsUsedAndReplicasAreDistinct"));
    var ring = TokenRing.of(1, randomMembers(rnd, 5, 2, 8));
    for (int i = 0; i < 1_000; i++) {
      List<String> replicas = ring.replicasFor(rnd.nextLong(), 3);
      assertThat(replicas).hasSize(3).doesNotHaveDuplicates();
      assertThat(replicas.stream().map(h -> ring.members().get(h).rack()).distinct()).hasSize(2);
    }
  }

  @Test
  void placementDoesNotDependOnMemberOrder() {
    var rnd = new Random(Seeds.seed("placementDoesNotDependOnMemberOrder"));
    var members = randomMembers(rnd, 7, 3, 16);
    var ring = TokenRing.of(4, members);
    for (int i = 0; i < 5; i++) {
      var shuffled = new ArrayList<>(members);
      Collections.shuffle(shuffled, rnd);
      var other = TokenRing.of(4, shuffled);
      assertThat(other).isEqualTo(ring);
      for (int k = 0; k < 500; k++) {
        long token = rnd.nextLong();
        assertThat(other.replicasFor(token, 3)).isEqualTo(ring.replicasFor(token, 3));
      }
    }
  }

  @Test
  void tokensPastTheLastWrapToTheFirstMember() {
    var ring =
        TokenRing.of(
            1,
            List.of(
                new Member("a", "r1", List.of(-100L)),
                new Member("b", "r2", List.of(0L)),
                new Member("c", "r3", List.of(100L))));
    assertThat(ring.replicasFor(101, 1)).containsExactly("a");
    assertThat(ring.replicasFor(Long.MAX_VALUE, 2)).containsExactly("a", "b");
    assertThat(ring.replicasFor(Long.MIN_VALUE, 3)).containsExactly("a", "b", "c");
    assertThat(ring.replicasFor(100, 2)).containsExactly("c", "a");
    assertThat(ring.replicasFor(-100, 1)).containsExactly("a");
    assertThat(ring.replicasFor(-99, 1)).containsExactly("b");
    assertThat(ring.rangeOf(101)).isEqualTo(new TokenRange(100, -100));
    assertThat(ring.rangeOf(101).contains(Long.MIN_VALUE)).isTrue();
  }

  @Test
  void rackAwareWalkSkipsASecondReplicaOnTheSameRackUntilAllRacksAreUsed() {
    var ring =
        TokenRing.of(
            1,
            List.of(
                new Member("a", "r1", List.of(10L)),
                new Member("b", "r1", List.of(20L)),
                new Member("c", "r2", List.of(30L)),
                new Member("d", "r3", List.of(40L))));
    assertThat(ring.replicasFor(5, 3)).containsExactly("a", "c", "d");
    // two racks asked for three replicas: the skipped member fills the last place
    assertThat(ring.replicasFor(5, 4)).containsExactly("a", "c", "d", "b");
  }

  @Test
  void rangesCoverTheRingExactlyOnce() {
    var rnd = new Random(Seeds.seed("rangesCoverTheRingExactlyOnce"));
    var ring = TokenRing.of(1, randomMembers(rnd, 5, 3, 16));
    var ranges = ring.ranges();
    assertThat(ranges).hasSize(80);
    assertThat(ranges.stream().mapToDouble(TokenRange::fraction).sum())
        .isCloseTo(1.0, within(1e-9));
    for (int i = 0; i < ranges.size(); i++) {
      // contiguous: each starts where the previous ended
      assertThat(ranges.get(i).start()).isEqualTo(ranges.get((i + ranges.size() - 1) % 80).end());
    }
    for (int i = 0; i < 5_000; i++) {
      long token = rnd.nextLong();
      assertThat(ranges.stream().filter(r -> r.contains(token)).count()).isEqualTo(1);
      assertThat(ring.rangeOf(token).contains(token)).isTrue();
    }
  }

  @Test
  void aSingleTokenIsTheWholeRing() {
    var ring = TokenRing.of(1, List.of(new Member("a", "r", List.of(42L))));
    assertThat(ring.ranges()).containsExactly(new TokenRange(42, 42));
    assertThat(ring.ranges().get(0).fraction()).isEqualTo(1.0);
    assertThat(ring.ownership(3)).containsEntry("a", 1.0);
  }

  @Test
  void ownershipSumsToRf() {
    var rnd = new Random(Seeds.seed("ownershipSumsToRf"));
    var ring = TokenRing.of(1, randomMembers(rnd, 6, 3, 16));
    for (int rf = 1; rf <= 4; rf++) {
      assertThat(ring.ownership(rf).values().stream().mapToDouble(Double::doubleValue).sum())
          .isCloseTo(rf, within(1e-9));
      int f = rf;
      ring.rangesByReplica(rf).values().forEach(rs -> assertThat(rs).isNotEmpty());
      assertThat(ring.rangesByReplica(rf).values().stream().mapToInt(List::size).sum())
          .isEqualTo(f * ring.ranges().size());
    }
  }

  @Test
  void fewerMembersThanRfGiveEveryMember() {
    var ring =
        TokenRing.of(
            1, List.of(new Member("a", "r", List.of(1L)), new Member("b", "r", List.of(2L))));
    assertThat(ring.replicasFor(0, 3)).containsExactly("a", "b");
    assertThat(TokenRing.empty().replicasFor(0, 3)).isEmpty();
  }

  @Test
  void refusesATokenClaimedTwiceAndARepeatedHost() {
    assertThatThrownBy(
            () ->
                TokenRing.of(
                    1,
                    List.of(new Member("a", "r", List.of(1L)), new Member("b", "r", List.of(1L)))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("token 1");
    assertThatThrownBy(
            () ->
                TokenRing.of(
                    1,
                    List.of(new Member("a", "r", List.of(1L)), new Member("a", "r", List.of(2L)))))
        .hasMessageContaining("appears twice");
  }
}
