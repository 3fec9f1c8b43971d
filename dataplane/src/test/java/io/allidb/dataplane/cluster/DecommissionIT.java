package io.allidb.dataplane.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.allidb.api.proto.ConsistencyLevel;
import io.allidb.dataplane.cluster.proto.EndpointState;
import io.allidb.dataplane.cluster.proto.NodeStatus;
import io.allidb.dataplane.cluster.ring.TokenRing;
import io.allidb.dataplane.cluster.streaming.StreamProgress;
import io.allidb.dataplane.cluster.transport.NetworkFaults;
import io.allidb.dataplane.server.DataplaneServer;
import io.allidb.dataplane.storage.row.RowKey;
import io.allidb.dataplane.testing.NodeProcess;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scaling a real cluster 3 -> 4 -> 3: {@link DataplaneServer}s in this JVM on the production gossip
 * runtime (RF 3, one rack each), a client writing at QUORUM through n1..n3 throughout.
 *
 * <ul>
 *   <li>n4 bootstraps (JOINING, streams its ranges, NORMAL): every acknowledged key it now
 *       replicates is in its own storage, and ownership is within 10 % of even.
 *   <li>n4 decommissions; while it is LEAVING a second change (n1's decommission) is refused,
 *       naming n4; it streams its ranges, turns LEFT, and every ring shrinks to three.
 *   <li>No acknowledged write is lost: each is read back at QUORUM, and each key is stored on every
 *       one of its replicas in the final ring (checked in each replica's own storage).
 *   <li>A three-node RF 3 ring refuses to shrink further.
 * </ul>
 *
 * A second test restarts the leaving node while it waits to stream; it resumes from its saved
 * LEAVING status and completes.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DecommissionIT {
  private static final String KEY = "key-d.dddddddddddddddddddddddddddddddd";
  private static final String TENANT = "acme";
  private static final Duration INTERVAL = Duration.ofMillis(200);

  @TempDir Path root;
  private GossipNodes nodes;

  @AfterEach
  void close() throws Exception {
    if (nodes != null) {
      nodes.close();
    }
  }

  @Test
  void scaleThreeToFourToThreeWhileQuorumWritesContinue() throws Exception {
    long seed = Long.getLong("tests.seed", System.nanoTime());
    System.out.println("[seed] DecommissionIT -Dtests.seed=" + seed);
    startCluster(seed, 3);
    for (int k = 0; k < 200; k++) {
      put("n" + (1 + k % 3), "pre" + k, 1);
    }

    var acked = new ConcurrentLinkedQueue<String>();
    var failures = new AtomicInteger();
    var stop = new AtomicBoolean();
    Thread writer = writer(seed, acked, failures, stop);
    writer.start();

    // 3 -> 4: n4 bootstraps (JOINING, streams its ranges, NORMAL) while the client writes
    nodes.start(3, NodeProcess.freePort(), nodes.port("n1"));
    awaitEveryMemberUp(4);
    Thread.sleep(500); // writes against the four-node ring too
    TokenRing four = nodes.runtime("n1").gossipView().ring();
    assertBalanced(four, 4);
    awaitNoHints(List.of("n1", "n2", "n3", "n4"));
    int onNew = 0;
    for (String id : snapshot(acked)) {
      if (four.replicasFor(TENANT, id, 3).contains("n4")) {
        assertThat(nodes.server("n4").entityStore().storage().getRow(RowKey.of(TENANT, id)))
            .as("%s on the new replica n4", id)
            .isPresent();
        onNew++;
      }
    }
    assertThat(onNew).as("keys n4 took over").isPositive();

    // 4 -> 3: n4 decommissions while the client keeps writing
    StreamProgress started = nodes.server("n4").ringChanges().decommission();
    assertThat(started.phase()).isEqualTo(StreamProgress.Phase.STREAMING);
    assertThat(nodes.server("n4").ringChanges().decommission().phase())
        .as("asking again is idempotent")
        .isEqualTo(StreamProgress.Phase.STREAMING);
    await("n1 sees n4 LEAVING")
        .atMost(Duration.ofSeconds(10))
        .until(() -> status("n1", "n4") == NodeStatus.LEAVING);
    assertThatThrownBy(() -> nodes.server("n1").ringChanges().decommission())
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
              assertThat(e.getStatus().getDescription())
                  .contains("another ring change is in progress: n4 is LEAVING");
            });

    await("n4 decommissioned")
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                nodes.server("n4").ringChanges().decommissionStatus().phase()
                    != StreamProgress.Phase.STREAMING);
    StreamProgress done = nodes.server("n4").ringChanges().decommissionStatus();
    assertThat(done.phase()).as(done.message()).isEqualTo(StreamProgress.Phase.COMPLETED);
    assertThat(done.rangesDone()).isEqualTo(done.rangesTotal()).isPositive();
    assertThat(done.rowsStreamed()).isPositive();
    for (String h : List.of("n1", "n2", "n3")) {
      await(h + " ring without n4")
          .atMost(Duration.ofSeconds(10))
          .until(() -> !nodes.runtime(h).gossipView().ring().hostIds().contains("n4"));
    }
    Thread.sleep(1000); // writes against the three-node ring too
    stop.set(true);
    writer.join(30_000);
    System.out.println(
        "[DecommissionIT] acked " + acked.size() + " writes, " + failures.get() + " failed");
    assertThat(acked).hasSizeGreaterThan(20);
    awaitNoHints(List.of("n1", "n2", "n3"));

    TokenRing ring = nodes.runtime("n1").gossipView().ring();
    assertThat(ring.hostIds()).containsExactlyInAnyOrder("n1", "n2", "n3");
    for (String id : snapshot(acked)) {
      assertThat(version("n1", id)).as(id).isPositive();
      for (String replica : ring.replicasFor(TENANT, id, 3)) {
        assertThat(nodes.server(replica).entityStore().storage().getRow(RowKey.of(TENANT, id)))
            .as("%s on its replica %s", id, replica)
            .isPresent();
      }
    }

    assertThatThrownBy(() -> nodes.server("n1").ringChanges().decommission())
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e ->
                assertThat(e.getStatus().getDescription())
                    .contains(
                        "the ring would keep 2 members, fewer than the replication factor 3"));
  }

  @Test
  void leavingNodeRestartedBeforeStreamingResumesAndCompletes() throws Exception {
    long seed = Long.getLong("tests.seed", System.nanoTime());
    System.out.println("[seed] DecommissionIT restart -Dtests.seed=" + seed);
    startCluster(seed, 4);
    for (int k = 0; k < 200; k++) {
      put("n" + (1 + k % 3), "k" + k, 1);
    }
    nodes.server("n4").ringChanges().decommission();
    await("n1 sees n4 LEAVING")
        .atMost(Duration.ofSeconds(10))
        .until(() -> status("n1", "n4") == NodeStatus.LEAVING);
    // within the settle delay (ten gossip rounds): stopped before any range streamed
    nodes.stop("n4");
    nodes.start(3, nodes.port("n4"), nodes.port("n1"));
    await("restarted n4 decommissioned")
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                nodes.server("n4").ringChanges().decommissionStatus().phase()
                    == StreamProgress.Phase.COMPLETED);
    for (String h : List.of("n1", "n2", "n3")) {
      await(h + " ring without n4")
          .atMost(Duration.ofSeconds(10))
          .until(() -> !nodes.runtime(h).gossipView().ring().hostIds().contains("n4"));
    }
    awaitNoHints(List.of("n1", "n2", "n3"));
    TokenRing ring = nodes.runtime("n1").gossipView().ring();
    for (int k = 0; k < 200; k++) {
      for (String replica : ring.replicasFor(TENANT, "k" + k, 3)) {
        assertThat(nodes.server(replica).entityStore().storage().getRow(RowKey.of(TENANT, "k" + k)))
            .as("k%d on %s", k, replica)
            .isPresent();
      }
    }
  }

  private static List<String> snapshot(Queue<String> acked) {
    var all = new ArrayList<String>(acked);
    for (int k = 0; k < 200; k++) {
      all.add("pre" + k);
    }
    return all;
  }

  private void put(String host, String id, long version) {
    nodes.put(host, id, version, ConsistencyLevel.CONSISTENCY_QUORUM);
  }

  private long version(String host, String id) {
    return nodes.version(host, id, ConsistencyLevel.CONSISTENCY_QUORUM);
  }

  private void awaitEveryMemberUp(int n) {
    for (String h : nodes.servers().keySet()) {
      await(h + " sees every member up")
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> {
                var view = nodes.runtime(h).gossipView();
                return view.ring().members().size() == n
                    && view.futureRing().isEmpty()
                    && view.ring().hostIds().stream().allMatch(view::isAlive);
              });
    }
  }

  private void startCluster(long seed, int n) throws Exception {
    nodes =
        new GossipNodes(root, "decommission-it", 3, INTERVAL, new NetworkFaults(seed), KEY, TENANT);
    int seedPort = NodeProcess.freePort();
    for (int i = 0; i < n; i++) {
      nodes.start(i, i == 0 ? seedPort : NodeProcess.freePort(), seedPort);
      int members = i + 1;
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> nodes.runtime("n1").gossipView().ring().members().size() == members);
    }
    awaitEveryMemberUp(n);
  }

  private void assertBalanced(TokenRing ring, int members) {
    double mean = 3.0 / members;
    ring.ownership(3)
        .forEach(
            (host, share) ->
                assertThat(Math.abs(share - mean) / mean)
                    .as("ownership of %s: %s (mean %s)", host, share, mean)
                    .isLessThan(0.10));
  }

  private Thread writer(
      long seed, Queue<String> acked, AtomicInteger failures, AtomicBoolean stop) {
    var random = new Random(seed);
    return new Thread(
        () -> {
          for (int i = 0; !stop.get(); i++) {
            String id = "w" + i;
            try {
              put("n" + (1 + random.nextInt(3)), id, 1);
              acked.add(id);
            } catch (StatusRuntimeException e) {
              failures.incrementAndGet(); // not acknowledged: nothing is promised
            }
          }
        },
        "decommission-it-writer");
  }

  private NodeStatus status(String observer, String member) {
    return nodes
        .runtime(observer)
        .gossiper()
        .flatMap(g -> g.state(member))
        .map(EndpointState::getStatus)
        .orElse(NodeStatus.UNRECOGNIZED);
  }

  /**
   * Hints for the members still in the ring are all delivered. Hints for n4 once it LEFT are not
   * awaited: it no longer replicates anything (a write that missed it reached the replica taking
   * over, counted as pending), so they are never replayed; they are printed.
   */
  private void awaitNoHints(List<String> members) {
    await("every hint delivered")
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                nodes.servers().values().stream()
                    .allMatch(s -> members.stream().allMatch(h -> s.hintStore().pending(h) == 0)));
    nodes
        .servers()
        .forEach(
            (host, s) ->
                System.out.println(
                    "[DecommissionIT] hints on "
                        + host
                        + " for n4: "
                        + s.hintStore().pending("n4")));
  }
}
