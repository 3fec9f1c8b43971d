package io.allidb.dataplane.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.allidb.api.proto.ConsistencyLevel;
import io.allidb.dataplane.cluster.transport.NetworkFaults;
import io.allidb.dataplane.server.DataplaneServer;
import io.allidb.dataplane.server.GossipClusterRuntime;
import io.allidb.dataplane.testing.NodeProcess;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A partition of a three-node RF 3 cluster: real {@link DataplaneServer}s in this JVM with the
 * production gossip runtime ({@link GossipClusterRuntime}: gossip, phi-accrual detection, pooled
 * internode channels, internode server) on loopback, sharing one {@link NetworkFaults} that cuts
 * {n1, n2} from {n3} in both directions.
 *
 * <ol>
 *   <li>Once n3's failure detector has convicted both peers, a QUORUM write through n3 fails with
 *       UNAVAILABLE before anything is written; the majority side keeps accepting QUORUM writes
 *       (the minority's copies become hints).
 *   <li>After healing, gossip revives n3 everywhere, the hints are replayed, and n3's own copy
 *       (read at ONE through n3) of every key holds the majority's newest version.
 * </ol>
 */
class QuorumUnderPartitionIT {
  private static final String KEY = "key-c.cccccccccccccccccccccccccccccccc";
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
  void minorityRefusesQuorumMajorityContinuesAndHealingConverges() throws Exception {
    long seed = Long.getLong("tests.seed", System.nanoTime());
    System.out.println("[seed] QuorumUnderPartitionIT -Dtests.seed=" + seed);
    var faults = new NetworkFaults(seed);
    nodes = new GossipNodes(root, "partition-it", 3, INTERVAL, faults, KEY, "acme");
    int seedPort = NodeProcess.freePort();
    for (int i = 0; i < 3; i++) {
      int port = i == 0 ? seedPort : NodeProcess.freePort();
      nodes.start(i, port, seedPort);
      int members = i + 1;
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> nodes.runtime("n1").gossipView().ring().members().size() == members);
    }
    awaitLivePeers("n1", 2);
    awaitLivePeers("n3", 2);

    for (int k = 0; k < 40; k++) {
      put(0, "k" + k, 1);
    }
    faults.partition(List.of(List.of("n1", "n2"), List.of("n3")));
    awaitLivePeers("n3", 0);
    awaitLivePeers("n1", 1);

    assertThatThrownBy(() -> put(2, "k0", 99))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
              assertThat(e.getStatus().getDescription()).contains("not enough replicas alive");
            });
    for (int k = 0; k < 40; k++) {
      put(k % 2, "k" + k, 2); // through both majority nodes
    }
    assertThat(
            nodes.server("n1").hintStore().pending("n3")
                + nodes.server("n2").hintStore().pending("n3"))
        .as("hints for the minority")
        .isPositive();

    faults.heal();
    awaitLivePeers("n3", 2);
    awaitLivePeers("n1", 2);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                nodes.server("n1").hintStore().pending("n3") == 0
                    && nodes.server("n2").hintStore().pending("n3") == 0);
    for (int k = 0; k < 40; k++) {
      // n3's own copy: at RF 3 on three nodes a read at ONE answers from the local replica
      assertThat(version(2, "k" + k, ConsistencyLevel.CONSISTENCY_ONE))
          .as("k%d on n3", k)
          .isEqualTo(2);
    }
    put(2, "k0", 3); // and the former minority takes QUORUM writes again
    assertThat(version(0, "k0", ConsistencyLevel.CONSISTENCY_QUORUM)).isEqualTo(3);
  }

  private void awaitLivePeers(String host, int live) {
    await(host + " sees " + live + " live peers")
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                nodes.runtime(host).gossipView().ring().hostIds().stream()
                        .filter(h -> !h.equals(host))
                        .filter(nodes.runtime(host).gossipView()::isAlive)
                        .count()
                    == live);
  }

  private void put(int node, String id, long version) {
    nodes.put(GossipNodes.host(node), id, version, ConsistencyLevel.CONSISTENCY_QUORUM);
  }

  private long version(int node, String id, ConsistencyLevel level) {
    return nodes.version(GossipNodes.host(node), id, level);
  }
}
