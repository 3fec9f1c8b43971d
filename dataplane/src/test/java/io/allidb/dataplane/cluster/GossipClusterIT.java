package io.allidb.dataplane.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.allidb.dataplane.cluster.GossipTestCluster.Node;
import io.allidb.dataplane.cluster.proto.EndpointState;
import io.allidb.dataplane.cluster.ring.TokenRing;
import io.allidb.dataplane.testing.Seeds;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Gossip membership over real internode servers on loopback. */
class GossipClusterIT {
  private static final Duration FAST = Duration.ofMillis(200);

  /** A bound against a hang, not a timing check (these ran past 10 s at load 17 on 2 cores). */
  private static final Duration BOUND = Duration.ofSeconds(60);

  private GossipTestCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static boolean sameRingEverywhere(List<Node> nodes) {
    TokenRing first = nodes.get(0).view.ring();
    return nodes.stream().allMatch(n -> n.view.ring().equals(first));
  }

  private static boolean allSeeAllAlive(List<Node> nodes) {
    return nodes.stream()
        .allMatch(n -> nodes.stream().allMatch(other -> n.gossiper.isAlive(other.hostId)));
  }

  @Test
  void fiveNodesConvergeOnTheSameStatesAndRing() {
    cluster =
        GossipTestCluster.builder()
            .nodes(5)
            .racks(1)
            .interval(FAST)
            .seed(Seeds.seed("fiveNodesConvergeOnTheSameStatesAndRing"))
            .start();
    var nodes = cluster.nodes();
    await().atMost(BOUND).until(() -> allSeeAllAlive(nodes));

    cluster.joinAll(16);
    // converged after the last join
    await()
        .atMost(BOUND)
        .until(
            () ->
                sameRingEverywhere(nodes)
                    && nodes.stream().map(GossipTestCluster::appStates).distinct().count() == 1);
    TokenRing ring = nodes.get(0).view.ring();
    assertThat(ring.hostIds()).containsExactlyInAnyOrder("n0", "n1", "n2", "n3", "n4");
    assertThat(ring.epoch()).isEqualTo(5); // one ring change per join
    ring.ownership(3).values().forEach(own -> assertThat(own).isCloseTo(0.6, within(0.06)));
    for (Node n : nodes) {
      for (Node other : nodes) {
        assertThat(n.view.internodeAddress(other.hostId)).contains(other.address);
      }
    }
  }

  @Test
  void aStoppedNodeIsMarkedDownAndComesBackWithANewGeneration() {
    // the production interval and detector defaults; the detection time is printed, not asserted
    // (a timing check fails on a loaded machine, not on a slow detector): the bench measures it
    cluster =
        GossipTestCluster.builder()
            .nodes(3)
            .seed(Seeds.seed("aStoppedNodeIsMarkedDownAndComesBackWithANewGeneration"))
            .start();
    var nodes = cluster.nodes();
    await().atMost(BOUND).until(() -> allSeeAllAlive(nodes));
    cluster.joinAll(16);
    // heartbeats flow for a few rounds so the detector has real intervals, not only its bootstrap
    await().atMost(BOUND).until(() -> allSeeAllAlive(nodes));
    EndpointState before = cluster.node("n2").gossiper.localState();
    TokenRing ring = cluster.node("n0").view.ring();

    cluster.stopNode("n2");
    long stopped = System.nanoTime();
    var survivors = List.of(cluster.node("n0"), cluster.node("n1"));
    await().atMost(BOUND).until(() -> survivors.stream().noneMatch(n -> n.gossiper.isAlive("n2")));
    System.out.printf(
        "[gossip] n2 marked down by both survivors %d ms after it stopped%n",
        (System.nanoTime() - stopped) / 1_000_000);
    // down is not gone: the ring keeps the node, its writes will be hinted
    assertThat(cluster.node("n0").view.ring()).isEqualTo(ring);

    Node restarted =
        cluster.startNode("n2", before.getStatus(), before.getTokensList(), before.getRingEpoch());
    assertThat(restarted.gossiper.localState().getGeneration())
        .isGreaterThan(before.getGeneration());
    await()
        .atMost(BOUND)
        .until(
            () ->
                survivors.stream()
                    .allMatch(
                        n ->
                            n.gossiper.isAlive("n2")
                                && n.gossiper.states().get("n2").getGeneration()
                                    > before.getGeneration()
                                && n.view
                                    .internodeAddress("n2")
                                    .orElseThrow()
                                    .equals(restarted.address)));
    await().atMost(BOUND).until(() -> restarted.view.ring().equals(ring));
    assertThat(survivors.get(0).view.ring()).isEqualTo(ring);
  }

  @Test
  void aPartitionMarksTheOtherSideDownAndHeals() {
    cluster =
        GossipTestCluster.builder()
            .nodes(5)
            .interval(FAST)
            .seed(Seeds.seed("aPartitionMarksTheOtherSideDownAndHeals"))
            .start();
    var nodes = cluster.nodes();
    await().atMost(BOUND).until(() -> allSeeAllAlive(nodes));
    cluster.joinAll(16);
    Set<String> majority = Set.of("n0", "n1", "n2");
    Set<String> minority = Set.of("n3", "n4");
    cluster.faults().partition(List.of(majority, minority));

    await()
        .atMost(BOUND)
        .until(
            () ->
                nodes.stream()
                    .allMatch(
                        n -> {
                          Set<String> mySide = majority.contains(n.hostId) ? majority : minority;
                          Set<String> alive =
                              cluster.hostIds().stream()
                                  .filter(n.gossiper::isAlive)
                                  .collect(Collectors.toSet());
                          return alive.equals(mySide);
                        }));

    cluster.faults().heal();
    await().atMost(BOUND).until(() -> allSeeAllAlive(nodes));
    assertThat(sameRingEverywhere(nodes)).isTrue();
  }

  @Test
  void aNodeOfAnotherClusterIsRefused() {
    cluster =
        GossipTestCluster.builder()
            .nodes(2)
            .interval(FAST)
            .seed(Seeds.seed("aNodeOfAnotherClusterIsRefused"))
            .start();
    var nodes = cluster.nodes();
    await().atMost(BOUND).until(() -> allSeeAllAlive(nodes));
    try (var other =
        GossipTestCluster.builder()
            .nodes(1)
            .interval(FAST)
            .clusterName("another")
            .seed(Seeds.seed("aNodeOfAnotherClusterIsRefused-other"))
            .build()) {
      // the foreign node's only seed is a node of the first cluster
      Node foreign = other.startNodeWithSeeds("n9", List.of(cluster.node("n0").address));
      await().atMost(BOUND).until(() -> refusedSyns(foreign) > 0);
      assertThat(foreign.gossiper.states()).containsOnlyKeys("n9");
      assertThat(cluster.node("n0").gossiper.states()).doesNotContainKey("n9");
      assertThat(foreign.view.ring().isEmpty()).isTrue();
    }
  }

  private static double refusedSyns(Node node) {
    return node.metrics.scrape().stream()
        .filter(m -> m.getMetadata().getName().equals("allidb_internode_calls"))
        .flatMap(m -> m.getDataPoints().stream())
        .filter(
            d ->
                "GossipSyn".equals(d.getLabels().get("rpc"))
                    && "FAILED_PRECONDITION".equals(d.getLabels().get("outcome")))
        .mapToDouble(d -> ((CounterDataPointSnapshot) d).getValue())
        .sum();
  }
}
