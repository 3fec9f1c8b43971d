package io.allidb.dataplane.index.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.allidb.dataplane.testing.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InMemoryGraphIndexTest {
  private static final String T = "acme";
  private static final Set<String> ALL = Set.of();

  private final InMemoryGraphIndex graph = new InMemoryGraphIndex();

  private static Edge edge(String from, String to, String relation, double weight) {
    return new Edge(from, to, relation, weight);
  }

  @Test
  void edgeWrittenOnTheSourceAppearsAtBothEnds() {
    graph.putEntity(T, "a", List.of(edge("a", "b", "cites", 0.5)));

    assertThat(graph.neighbors(T, "a", Direction.OUTGOING, ALL, 10))
        .containsExactly(edge("a", "b", "cites", 0.5));
    assertThat(graph.neighbors(T, "b", Direction.INCOMING, ALL, 10))
        .containsExactly(edge("a", "b", "cites", 0.5));
    assertThat(graph.neighbors(T, "b", Direction.OUTGOING, ALL, 10)).isEmpty();
    assertThat(graph.neighbors(T, "a", Direction.INCOMING, ALL, 10)).isEmpty();
  }

  @Test
  void putEntityReplacesItsOutgoingEdgesAndTheirReverseEntries() {
    graph.putEntity(T, "a", List.of(edge("a", "b", "cites", 1), edge("a", "c", "cites", 2)));
    graph.putEntity(T, "a", List.of(edge("a", "c", "mentions", 3), edge("a", "d", "cites", 4)));

    assertThat(graph.neighbors(T, "a", Direction.OUTGOING, ALL, 10))
        .containsExactly(edge("a", "d", "cites", 4), edge("a", "c", "mentions", 3));
    assertThat(graph.neighbors(T, "b", Direction.INCOMING, ALL, 10)).isEmpty();
    assertThat(graph.neighbors(T, "c", Direction.INCOMING, ALL, 10))
        .containsExactly(edge("a", "c", "mentions", 3));

    graph.putEntity(T, "a", List.of());
    assertThat(graph.neighbors(T, "a", Direction.BOTH, ALL, 10)).isEmpty();
    assertThat(graph.neighbors(T, "d", Direction.INCOMING, ALL, 10)).isEmpty();
  }

  @Test
  void duplicateTargetAndRelationKeepsTheLastEdge() {
    graph.putEntity(T, "a", List.of(edge("a", "b", "r", 1), edge("a", "b", "r", 7)));
    assertThat(graph.neighbors(T, "b", Direction.INCOMING, ALL, 10))
        .containsExactly(edge("a", "b", "r", 7));
  }

  @Test
  void removeEntityDropsItsOutgoingEdgesButKeepsEdgesOthersStoreTowardsIt() {
    graph.putEntity(T, "a", List.of(edge("a", "b", "r", 1)));
    graph.putEntity(T, "b", List.of(edge("b", "c", "r", 1)));

    graph.removeEntity(T, "b");

    assertThat(graph.neighbors(T, "b", Direction.OUTGOING, ALL, 10)).isEmpty();
    assertThat(graph.neighbors(T, "c", Direction.INCOMING, ALL, 10)).isEmpty();
    assertThat(graph.neighbors(T, "b", Direction.INCOMING, ALL, 10))
        .containsExactly(edge("a", "b", "r", 1));
    graph.removeEntity(T, "never-existed");
    graph.removeEntity("no-tenant", "b");
  }

  @Test
  void relationFilterKeepsOnlyTheNamedTypes() {
    graph.putEntity(
        T,
        "a",
        List.of(edge("a", "b", "cites", 1), edge("a", "c", "mentions", 2), edge("a", "d", "x", 3)));

    assertThat(graph.neighbors(T, "a", Direction.OUTGOING, Set.of("cites", "x"), 10))
        .containsExactly(edge("a", "d", "x", 3), edge("a", "b", "cites", 1));
    assertThat(graph.neighbors(T, "c", Direction.INCOMING, Set.of("cites"), 10)).isEmpty();
  }

  @Test
  void bothDirectionsMergeInWeightThenIdOrderAndListASelfLoopOnce() {
    graph.putEntity(T, "a", List.of(edge("a", "b", "r", 1), edge("a", "a", "self", 1)));
    graph.putEntity(T, "c", List.of(edge("c", "a", "r", 1)));
    graph.putEntity(T, "z", List.of(edge("z", "a", "r", 5)));

    assertThat(graph.neighbors(T, "a", Direction.BOTH, ALL, 10))
        .containsExactly(
            edge("z", "a", "r", 5),
            edge("a", "a", "self", 1),
            edge("a", "b", "r", 1),
            edge("c", "a", "r", 1));
  }

  @Test
  void limitCutsAHighFanOutAfterOrdering() {
    var edges = new ArrayList<Edge>();
    for (int i = 0; i < 1_000; i++) {
      edges.add(edge("hub", "n" + i, "r", i % 10));
    }
    graph.putEntity(T, "hub", edges);

    List<Edge> top = graph.neighbors(T, "hub", Direction.OUTGOING, ALL, 5);
    assertThat(top).hasSize(5).allSatisfy(e -> assertThat(e.weight()).isEqualTo(9));
    assertThat(top).extracting(Edge::to).containsExactly("n109", "n119", "n129", "n139", "n149");
    assertThat(graph.neighbors(T, "hub", Direction.OUTGOING, ALL, 5_000)).hasSize(1_000);
    assertThatThrownBy(() -> graph.neighbors(T, "hub", Direction.OUTGOING, ALL, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("got 0");
  }

  @Test
  void tenantsNeverSeeEachOthersEdges() {
    graph.putEntity("t1", "a", List.of(edge("a", "b", "r", 1)));
    graph.putEntity("t2", "a", List.of(edge("a", "c", "r", 1)));

    assertThat(graph.neighbors("t1", "a", Direction.BOTH, ALL, 10))
        .containsExactly(edge("a", "b", "r", 1));
    assertThat(graph.neighbors("t2", "b", Direction.INCOMING, ALL, 10)).isEmpty();
    graph.removeEntity("t1", "a");
    assertThat(graph.neighbors("t2", "a", Direction.OUTGOING, ALL, 10))
        .containsExactly(edge("a", "c", "r", 1));
    assertThat(graph.neighbors("t3", "a", Direction.BOTH, ALL, 10)).isEmpty();
  }

  @Test
  void rejectsEdgesThatDoNotStartAtTheEntityOrHaveNoFiniteWeight() {
    assertThatThrownBy(() -> graph.putEntity(T, "a", List.of(edge("b", "c", "r", 1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'a'");
    assertThatThrownBy(() -> edge("a", "b", "r", Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("NaN");
    assertThatThrownBy(() -> edge("a", "", "r", 1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void concurrentWritersAndReadersKeepBothEndsConsistent() throws Exception {
    long seed = Seeds.seed("concurrentWritersAndReadersKeepBothEndsConsistent");
    int entities = 200;
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      var futures = new ArrayList<Future<?>>();
      for (int w = 0; w < 4; w++) {
        int worker = w;
        futures.add(
            pool.submit(
                () -> {
                  var rnd = new Random(seed + worker);
                  for (int i = 0; i < 5_000; i++) {
                    String id = "e" + rnd.nextInt(entities);
                    switch (rnd.nextInt(4)) {
                      case 0 -> graph.removeEntity(T, id);
                      case 1 -> {
                        var edges = new ArrayList<Edge>();
                        for (int j = rnd.nextInt(8); j > 0; j--) {
                          edges.add(edge(id, "e" + rnd.nextInt(entities), "r", rnd.nextInt(5)));
                        }
                        graph.putEntity(T, id, edges);
                      }
                      default -> {
                        // every incoming edge must still be an outgoing edge of its source
                        for (Edge e : graph.neighbors(T, id, Direction.INCOMING, ALL, 100)) {
                          assertThat(e.to()).isEqualTo(id);
                        }
                        graph.neighbors(T, id, Direction.BOTH, Set.of("r"), 3);
                      }
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get(2, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    // quiescent: the two adjacencies are exact mirrors
    int outgoing = 0;
    int incoming = 0;
    for (int i = 0; i < entities; i++) {
      String id = "e" + i;
      for (Edge e : graph.neighbors(T, id, Direction.OUTGOING, ALL, 1_000)) {
        outgoing++;
        assertThat(graph.neighbors(T, e.to(), Direction.INCOMING, ALL, 1_000)).contains(e);
      }
      incoming += graph.neighbors(T, id, Direction.INCOMING, ALL, 1_000).size();
    }
    assertThat(incoming).isEqualTo(outgoing);
  }
}
