package io.allidb.dataplane.cluster.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.allidb.dataplane.cluster.ring.TokenRing.Member;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TokenAllocatorTest {
  private static final int RF = 3;

  private static TokenRing join(TokenRing ring, String host, String rack) {
    var tokens = TokenAllocator.allocate(ring, host, rack, TokenAllocator.DEFAULT_VNODES, RF);
    assertThat(tokens).hasSize(TokenAllocator.DEFAULT_VNODES).doesNotHaveDuplicates();
    var members = new ArrayList<>(ring.members().values());
    members.add(new Member(host, rack, tokens));
    return TokenRing.of(ring.epoch() + 1, members); // throws if a token collided
  }

  private static void assertWithinTenPercent(
      Map<String, Double> ownership, Map<String, Double> ideal) {
    System.out.println("ownership " + ownership + " ideal " + ideal);
    ownership.forEach(
        (host, own) ->
            assertThat(own)
                .as("ownership of %s", host)
                .isCloseTo(ideal.get(host), within(0.1 * ideal.get(host))));
  }

  @Test
  void firstNodeGetsEvenlySpacedTokens() {
    var tokens = TokenAllocator.evenlySpaced("n1", 16);
    var ring = TokenRing.of(1, List.of(new Member("n1", "r", tokens)));
    for (TokenRange r : ring.ranges()) {
      assertThat(r.fraction()).isCloseTo(1.0 / 16, within(1e-9));
    }
    assertThat(TokenAllocator.evenlySpaced("n2", 16)).isNotEqualTo(tokens);
    assertThat(TokenAllocator.evenlySpaced("n1", 16)).isEqualTo(tokens);
  }

  @Test
  void growingOneRackFromThreeToSixNodesStaysWithinTenPercentOfIdeal() {
    var ring = TokenRing.empty();
    for (int n = 1; n <= 6; n++) {
      ring = join(ring, "n" + n, "rack");
      if (n > RF) {
        var own = ring.ownership(RF);
        double ideal = (double) RF / n;
        var ideals = new java.util.TreeMap<String, Double>();
        own.keySet().forEach(h -> ideals.put(h, ideal));
        assertWithinTenPercent(own, ideals);
      }
    }
  }

  @Test
  void growingThreeRacksFromThreeToSixNodesStaysWithinTenPercentOfIdeal() {
    var ring = TokenRing.empty();
    for (int n = 1; n <= 9; n++) {
      ring = join(ring, "n" + n, "rack-" + (n % 3));
      if (n % 3 == 0) {
        // one replica per rack: each node holds 1 / (nodes in its rack) of the data
        var own = ring.ownership(RF);
        var ideals = new java.util.TreeMap<String, Double>();
        double ideal = 3.0 / n;
        own.keySet().forEach(h -> ideals.put(h, ideal));
        assertWithinTenPercent(own, ideals);
      }
    }
  }

  @Test
  void unevenRacksGiveEachNodeItsShareOfItsRack() {
    var ring = TokenRing.empty();
    String[][] joins = {{"a", "r1"}, {"b", "r2"}, {"c", "r3"}, {"d", "r1"}, {"e", "r1"}};
    for (String[] j : joins) {
      ring = join(ring, j[0], j[1]);
    }
    var own = ring.ownership(RF);
    assertWithinTenPercent(
        own, Map.of("a", 1.0 / 3, "d", 1.0 / 3, "e", 1.0 / 3, "b", 1.0, "c", 1.0));
  }
}
