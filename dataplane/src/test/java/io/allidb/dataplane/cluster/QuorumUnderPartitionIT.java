package io.allidb.dataplane.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.allidb.api.proto.AlliDBGrpc;
import io.allidb.api.proto.ConsistencyLevel;
import io.allidb.api.proto.Entity;
import io.allidb.api.proto.GetEntityRequest;
import io.allidb.api.proto.PutEntityRequest;
import io.allidb.api.proto.TextChunk;
import io.allidb.dataplane.cluster.hints.HintOptions;
import io.allidb.dataplane.cluster.transport.NetworkFaults;
import io.allidb.dataplane.server.ApiKeyAuthInterceptor;
import io.allidb.dataplane.server.ClusterOptions;
import io.allidb.dataplane.server.DataplaneServer;
import io.allidb.dataplane.server.GossipClusterRuntime;
import io.allidb.dataplane.server.NodeConfig;
import io.allidb.dataplane.testing.NodeProcess;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
  private final List<DataplaneServer> servers = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final Map<String, GossipClusterRuntime> runtimes = new HashMap<>();

  @AfterEach
  void close() throws Exception {
    channels.forEach(ManagedChannel::shutdownNow);
    for (DataplaneServer s : servers) {
      s.close();
    }
  }

  @Test
  void minorityRefusesQuorumMajorityContinuesAndHealingConverges() throws Exception {
    long seed = Long.getLong("tests.seed", System.nanoTime());
    System.out.println("[seed] QuorumUnderPartitionIT -Dtests.seed=" + seed);
    var faults = new NetworkFaults(seed);
    Files.writeString(root.resolve("keys"), KEY + " acme\n");
    int seedPort = NodeProcess.freePort();
    for (int i = 0; i < 3; i++) {
      int port = i == 0 ? seedPort : NodeProcess.freePort();
      start(i, port, seedPort, faults);
      int members = i + 1;
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> runtimes.get("n1").gossipView().ring().members().size() == members);
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
    assertThat(servers.get(0).hintStore().pending("n3") + servers.get(1).hintStore().pending("n3"))
        .as("hints for the minority")
        .isPositive();

    faults.heal();
    awaitLivePeers("n3", 2);
    awaitLivePeers("n1", 2);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                servers.get(0).hintStore().pending("n3") == 0
                    && servers.get(1).hintStore().pending("n3") == 0);
    for (int k = 0; k < 40; k++) {
      // n3's own copy: at RF 3 on three nodes a read at ONE answers from the local replica
      assertThat(version(2, "k" + k, ConsistencyLevel.CONSISTENCY_ONE))
          .as("k%d on n3", k)
          .isEqualTo(2);
    }
    put(2, "k0", 3); // and the former minority takes QUORUM writes again
    assertThat(version(0, "k0", ConsistencyLevel.CONSISTENCY_QUORUM)).isEqualTo(3);
  }

  private void start(int i, int port, int seedPort, NetworkFaults faults) throws Exception {
    String host = "n" + (i + 1);
    Path dir = root.resolve(host);
    var cluster =
        ClusterOptions.builder()
            .clusterName("partition-it")
            .hostId(host)
            .rack("rack-" + i)
            .internodeBindAddress("127.0.0.1")
            .internodePort(port)
            .publishedAddress("127.0.0.1:" + port)
            .seeds(i == 0 ? List.of() : List.of("127.0.0.1:" + seedPort))
            .initialNode(i == 0)
            .replicationFactor(3)
            .readRepairChance(0)
            .plaintextInternode(true)
            .hints(HintOptions.defaults(dir.resolve("hints")).withReplayInterval(INTERVAL))
            .build();
    var config =
        NodeConfig.builder(dir)
            .nodeId(host)
            .bindAddress("127.0.0.1")
            .grpcPort(0)
            .httpPort(-1)
            .shutdownGrace(Duration.ofSeconds(1))
            .apiKeyFile(root.resolve("keys"))
            .cluster(cluster)
            .build();
    var factory = GossipClusterRuntime.factory(faults, INTERVAL);
    var server =
        new DataplaneServer(
                DataplaneServer.forNetty(config),
                config,
                DataplaneServer.graphRag(config),
                c -> {
                  var runtime = (GossipClusterRuntime) factory.create(c);
                  runtimes.put(c.hostId(), runtime);
                  return runtime;
                })
            .start();
    servers.add(server);
    channels.add(NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build());
  }

  private void awaitLivePeers(String host, int live) {
    await(host + " sees " + live + " live peers")
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                runtimes.get(host).gossipView().ring().hostIds().stream()
                        .filter(h -> !h.equals(host))
                        .filter(runtimes.get(host).gossipView()::isAlive)
                        .count()
                    == live);
  }

  private AlliDBGrpc.AlliDBBlockingStub stub(int i) {
    var md = new Metadata();
    md.put(ApiKeyAuthInterceptor.API_KEY, KEY);
    return AlliDBGrpc.newBlockingStub(channels.get(i))
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private void put(int node, String id, long version) {
    stub(node)
        .putEntity(
            PutEntityRequest.newBuilder()
                .setConsistencyLevel(ConsistencyLevel.CONSISTENCY_QUORUM)
                .setEntity(
                    Entity.newBuilder()
                        .setEntityId(id)
                        .addChunks(
                            TextChunk.newBuilder()
                                .setChunkId(id + "#0")
                                .setText("v")
                                .putMetadata("v", Long.toString(version))))
                .build());
  }

  private long version(int node, String id, ConsistencyLevel level) {
    var e =
        stub(node)
            .getEntity(
                GetEntityRequest.newBuilder().setEntityId(id).setConsistencyLevel(level).build())
            .getEntity();
    return Long.parseLong(e.getChunks(0).getMetadataOrThrow("v"));
  }
}
