package io.allidb.dataplane.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.TextFormat;
import io.allidb.api.admin.DecommissionReply;
import io.allidb.api.admin.RemoveNodeReply;
import io.allidb.api.admin.RemoveNodeRequest;
import io.allidb.api.proto.ConsistencyLevel;
import io.allidb.dataplane.cluster.proto.NodeStatus;
import io.allidb.dataplane.cluster.ring.TokenRing;
import io.allidb.dataplane.cluster.streaming.StreamProgress;
import io.allidb.dataplane.cluster.transport.NetworkFaults;
import io.allidb.dataplane.storage.row.RowKey;
import io.allidb.dataplane.testing.NodeProcess;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * RemoveNode of a dead member: four real nodes (RF 3, one rack each) on the production gossip
 * runtime; n4 is stopped for good and, once the others see it down, removed from n1 while a client
 * keeps writing at QUORUM through n1..n3.
 *
 * <ul>
 *   <li>Removing a live member, an unknown one or n1 itself is refused, saying why.
 *   <li>n4 turns LEAVING (published by n1 on its behalf), its ranges are streamed from the
 *       survivors, then LEFT, and every ring drops it.
 *   <li>Every key written before and during the removal ends on all three of its replicas in the
 *       three-node ring (each replica's own storage).
 * </ul>
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RemoveNodeIT {
  private static final String KEY = "key-r.rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr";
  private static final String TENANT = "acme";
  private static final Duration INTERVAL = Duration.ofMillis(200);
  private static final List<String> SURVIVORS = List.of("n1", "n2", "n3");

  @TempDir Path root;
  private GossipNodes nodes;

  @AfterEach
  void close() throws Exception {
    if (nodes != null) {
      nodes.close();
    }
  }

  @Test
  void deadMemberIsRemovedAndItsRangesReReplicated() throws Exception {
    long seed = Long.getLong("tests.seed", System.nanoTime());
    System.out.println("[seed] RemoveNodeIT -Dtests.seed=" + seed);
    nodes =
        new GossipNodes(root, "removenode-it", 3, INTERVAL, new NetworkFaults(seed), KEY, TENANT);
    int seedPort = NodeProcess.freePort();
    for (int i = 0; i < 4; i++) {
      nodes.start(i, i == 0 ? seedPort : NodeProcess.freePort(), seedPort);
      int members = i + 1;
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> nodes.runtime("n1").gossipView().ring().members().size() == members);
    }
    for (String h : List.of("n1", "n2", "n3", "n4")) {
      await(h + " sees four members up")
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                var v = nodes.runtime(h).gossipView();
                return v.ring().members().size() == 4
                    && v.futureRing().isEmpty()
                    && v.ring().hostIds().stream().allMatch(v::isAlive);
              });
    }
    var ids = new ArrayList<String>();
    for (int k = 0; k < 200; k++) {
      nodes.put("n" + (1 + k % 4), "pre" + k, 1, ConsistencyLevel.CONSISTENCY_QUORUM);
      ids.add("pre" + k);
    }

    assertRefused("n2", "n2 is up: only a dead member can be removed");
    assertRefused("n9", "unknown member n9");
    assertRefused("n1", "n1 is this node");

    nodes.stop("n4"); // gone for good
    for (String h : SURVIVORS) {
      await(h + " sees n4 down")
          .atMost(Duration.ofSeconds(30))
          .until(() -> !nodes.runtime(h).gossipView().isAlive("n4"));
    }

    var acked = new ConcurrentLinkedQueue<String>();
    var failures = new AtomicInteger();
    var stop = new AtomicBoolean();
    var random = new Random(seed);
    Thread writer =
        new Thread(
            () -> {
              for (int i = 0; !stop.get(); i++) {
                try {
                  nodes.put(
                      SURVIVORS.get(random.nextInt(3)),
                      "w" + i,
                      1,
                      ConsistencyLevel.CONSISTENCY_QUORUM);
                  acked.add("w" + i);
                } catch (StatusRuntimeException e) {
                  failures.incrementAndGet(); // not acknowledged: nothing promised
                }
              }
            },
            "removenode-it-writer");
    writer.start();

    StreamProgress started = nodes.server("n1").ringChanges().removeNode("n4");
    assertThat(started.phase()).isEqualTo(StreamProgress.Phase.STREAMING);
    assertThat(nodes.server("n1").ringChanges().removeNode("n4").phase())
        .as("asking again is idempotent")
        .isIn(StreamProgress.Phase.STREAMING, StreamProgress.Phase.COMPLETED);
    await("n2 sees n4 LEAVING or LEFT")
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                nodes
                    .runtime("n2")
                    .gossiper()
                    .flatMap(g -> g.state("n4"))
                    .map(s -> s.getStatus() != NodeStatus.NORMAL)
                    .orElse(false));
    await("n4 removed")
        .atMost(Duration.ofSeconds(90))
        .until(
            () ->
                nodes.server("n1").ringChanges().removeNode("n4").phase()
                    != StreamProgress.Phase.STREAMING);
    RemoveNodeReply done =
        nodes
            .admin("n1", 20)
            .removeNode(RemoveNodeRequest.newBuilder().setHostId("n4").build()); // the admin API
    assertThat(done.getPhase()).as(done.getMessage()).isEqualTo(DecommissionReply.Phase.COMPLETED);
    assertThat(done.getRowsStreamed()).as("rows re-replicated").isPositive();
    assertThat(done.getRangesDone()).isEqualTo(done.getRangesTotal()).isPositive();
    for (String h : SURVIVORS) {
      await(h + " ring without n4")
          .atMost(Duration.ofSeconds(30))
          .until(() -> !nodes.runtime(h).gossipView().ring().hostIds().contains("n4"));
    }
    Thread.sleep(500); // writes against the three-node ring too
    stop.set(true);
    writer.join(30_000);
    System.out.println(
        "[RemoveNodeIT] "
            + TextFormat.shortDebugString(done)
            + "; acked "
            + acked.size()
            + ", failed "
            + failures.get());
    assertThat(acked).hasSizeGreaterThan(10);
    ids.addAll(acked);
    await("hints for the survivors delivered")
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                SURVIVORS.stream()
                    .allMatch(
                        s ->
                            SURVIVORS.stream()
                                .allMatch(h -> nodes.server(s).hintStore().pending(h) == 0)));

    TokenRing ring = nodes.runtime("n1").gossipView().ring();
    assertThat(ring.hostIds()).containsExactlyInAnyOrderElementsOf(SURVIVORS);
    for (String id : ids) {
      for (String replica : ring.replicasFor(TENANT, id, 3)) {
        assertThat(nodes.server(replica).entityStore().storage().getRow(RowKey.of(TENANT, id)))
            .as("%s on its replica %s", id, replica)
            .isPresent();
      }
    }
  }

  private void assertRefused(String hostId, String why) {
    assertThatThrownBy(
            () ->
                nodes
                    .admin("n1", 20)
                    .removeNode(RemoveNodeRequest.newBuilder().setHostId(hostId).build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
              assertThat(e.getStatus().getDescription()).contains(why);
            });
  }
}
