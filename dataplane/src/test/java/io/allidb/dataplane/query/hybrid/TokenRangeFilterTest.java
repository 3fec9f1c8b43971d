package io.allidb.dataplane.query.hybrid;

import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.dataplane.cluster.ring.TokenRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The filter's merged spans hold exactly the tokens some asked range holds. */
class TokenRangeFilterTest {

  private static boolean anyContains(List<TokenRange> ranges, long token) {
    return ranges.stream().anyMatch(r -> r.contains(token));
  }

  @Test
  void agreesWithTokenRangeOnRandomRangeSets() {
    long seed = Long.getLong("tests.seed", new Random().nextLong());
    System.out.println("[seed] TokenRangeFilterTest -Dtests.seed=" + seed);
    var rnd = new Random(seed);
    for (int round = 0; round < 200; round++) {
      var ranges = new ArrayList<TokenRange>();
      var probes = new ArrayList<Long>(List.of(Long.MIN_VALUE, Long.MAX_VALUE, 0L, -1L, 1L));
      for (int i = 1 + rnd.nextInt(6); i > 0; i--) {
        long a = rnd.nextInt(4) == 0 ? Long.MAX_VALUE : rnd.nextLong();
        long b = rnd.nextInt(4) == 0 ? Long.MIN_VALUE : rnd.nextLong();
        ranges.add(new TokenRange(a, b));
        for (long edge : new long[] {a, b}) {
          probes.add(edge);
          probes.add(edge + 1);
          probes.add(edge - 1);
        }
      }
      for (int i = 0; i < 50; i++) {
        probes.add(rnd.nextLong());
      }
      var filter = new TokenRangeFilter("token", ranges);
      for (long t : probes) {
        assertThat(filter.contains(t))
            .as("token %d in %s", t, ranges)
            .isEqualTo(anyContains(ranges, t));
      }
    }
  }

  @Test
  void adjacentRangesMergeAndTheFullRingHoldsEverything() {
    var adjacent =
        new TokenRangeFilter("token", List.of(new TokenRange(0, 10), new TokenRange(10, 20)));
    assertThat(adjacent.contains(0)).isFalse();
    assertThat(adjacent.contains(10)).isTrue();
    assertThat(adjacent.contains(20)).isTrue();
    assertThat(adjacent.contains(21)).isFalse();
    assertThat(adjacent.spans()).isEqualTo(1);
    assertThat(adjacent.queries()).hasSize(1);
    var full = new TokenRangeFilter("token", List.of(TokenRange.fullRing()));
    assertThat(full.contains(Long.MIN_VALUE)).isTrue();
    assertThat(full.contains(Long.MAX_VALUE)).isTrue();
  }
}
