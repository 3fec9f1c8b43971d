package io.allidb.dataplane.cluster.ring;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link TokenRing#replicasFor} gives the replica sets in testdata/ring-placement-v1.golden, which
 * the operator's {@code ReplicaPlacementGoldenTest} checks against its own copy of the rule (the
 * repair planner never runs two repairs on one replica set, so both sides must agree).
 */
class RingPlacementGoldenTest {
  static final Path GOLDEN = Path.of("..", "testdata", "ring-placement-v1.golden");

  @Test
  void replicaSetsMatchTheGoldenFile() throws Exception {
    int rf = 0;
    var members = new ArrayList<TokenRing.Member>();
    var expected = new ArrayList<String>();
    for (var line : Files.readAllLines(GOLDEN)) {
      var f = line.strip().split("\\s+");
      switch (f[0]) {
        case "rf" -> rf = Integer.parseInt(f[1]);
        case "member" -> {
          var tokens = new ArrayList<Long>();
          for (int i = 3; i < f.length; i++) {
            tokens.add(Long.parseLong(f[i]));
          }
          members.add(new TokenRing.Member(f[1], f[2], tokens));
        }
        case "range" -> expected.add(line.strip());
        default -> {}
      }
    }
    var ring = TokenRing.of(1, members);

    var actual = new ArrayList<String>();
    for (var r : ring.ranges()) {
      List<String> replicas = ring.replicasFor(r.end(), rf);
      actual.add("range " + r.start() + " " + r.end() + " " + String.join(",", replicas));
    }

    assertThat(expected).isNotEmpty();
    assertThat(actual).isEqualTo(expected);
  }
}
