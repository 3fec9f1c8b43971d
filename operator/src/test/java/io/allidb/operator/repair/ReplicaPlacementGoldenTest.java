package io.allidb.operator.repair;

import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.operator.ring.TokenMap;
import io.allidb.operator.ring.TokenRange;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The operator's copy of the replica placement rule gives the answers in
 * testdata/ring-placement-v1.golden, which the data plane's {@code RingPlacementGoldenTest} checks
 * against {@code TokenRing}: repair's "never two repairs on one replica set" depends on both sides
 * agreeing. Uneven racks exercise the rule's skip-and-fill step.
 */
class ReplicaPlacementGoldenTest {
  static final Path GOLDEN = Path.of("..", "testdata", "ring-placement-v1.golden");

  @Test
  void placesReplicasAsTheGoldenFileSays() throws Exception {
    var lines = Files.readAllLines(GOLDEN);
    int rf = 0;
    var tokens = new LinkedHashMap<String, List<Long>>();
    var racks = new LinkedHashMap<String, String>();
    var expected = new ArrayList<String>();
    for (var line : lines) {
      var f = line.strip().split("\\s+");
      switch (f[0]) {
        case "rf" -> rf = Integer.parseInt(f[1]);
        case "member" -> {
          racks.put(f[1], f[2]);
          var t = new ArrayList<Long>();
          for (int i = 3; i < f.length; i++) {
            t.add(Long.parseLong(f[i]));
          }
          tokens.put(f[1], t);
        }
        case "range" -> expected.add(line.strip());
        default -> {}
      }
    }

    var sets = ReplicaPlacement.replicaSets(new TokenMap(1, rf, tokens, racks));

    var actual = new ArrayList<String>();
    sets.forEach(
        (TokenRange r, List<String> replicas) ->
            actual.add("range " + r.start() + " " + r.end() + " " + String.join(",", replicas)));
    if (expected.isEmpty()) {
      actual.forEach(System.out::println); // to write the file once; the data plane checks it
    }
    assertThat(actual).isEqualTo(expected);
  }
}
