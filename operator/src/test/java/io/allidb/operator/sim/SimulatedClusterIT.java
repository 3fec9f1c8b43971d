package io.allidb.operator.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.allidb.api.proto.AlliDBGrpc;
import io.allidb.api.proto.ConsistencyLevel;
import io.allidb.api.proto.Entity;
import io.allidb.api.proto.GetEntityRequest;
import io.allidb.api.proto.PutEntityRequest;
import io.allidb.api.proto.TextChunk;
import io.allidb.operator.AlliClusters;
import io.allidb.operator.api.AlliCluster;
import io.allidb.operator.api.AlliClusterConditions;
import io.allidb.operator.api.RingMember;
import io.allidb.operator.api.RingMemberState;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operator scenarios against a simulated Kubernetes cluster with real data-plane nodes ({@link
 * SimulatedCluster}): the operator, the nodes and the admin API are the production code; only the
 * API server (fabric8 mock, CRUD) and the StatefulSet controller/kubelet are simulated.
 */
@EnableKubernetesMockClient(crud = true)
@Timeout(240)
class SimulatedClusterIT {
  static final String NS = AlliClusters.NAMESPACE;
  static final Duration WAIT = Duration.ofSeconds(90);

  KubernetesClient client;
  @TempDir Path root;
  SimulatedCluster sim;
  final Map<Integer, ManagedChannel> channels = new ConcurrentHashMap<>();

  @BeforeEach
  void start() throws Exception {
    sim = SimulatedCluster.start(client, root, NS, "demo");
  }

  @AfterEach
  void stop() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    if (sim != null) {
      sim.close();
    }
  }

  @Test
  void threeNodesBecomeReadyAndServeData() {
    create(AlliClusters.withReplicas(3));
    awaitReady(3);
    var running = sim.pods().runningPods();
    assertThat(running).containsExactly("demo-default-0", "demo-default-1", "demo-default-2");
    put(running.get(0), "hello", 1);
    assertThat(version(running.get(2), "hello")).isEqualTo(1);
  }

  // ---------------------------------------------------------------------------------------------

  void awaitReady(int nodes) {
    await("cluster Ready with " + nodes + " NORMAL members")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              var status = fetch().getStatus();
              assertThat(status).as("status").isNotNull();
              assertThat(condition(AlliClusterConditions.READY).getStatus())
                  .as("Ready; status %s", Serialization.asJson(status))
                  .isEqualTo("True");
              assertThat(status.getRingMembers())
                  .hasSize(nodes)
                  .allSatisfy(m -> assertThat(m.getState()).isEqualTo(RingMemberState.NORMAL));
              assertThat(status.getRingOperation()).isNull();
            });
  }

  AlliCluster create(AlliCluster cluster) {
    cluster.getMetadata().setUid(null);
    cluster.getMetadata().setGeneration(null);
    return client.resource(cluster).create();
  }

  AlliCluster fetch() {
    return client.resources(AlliCluster.class).inNamespace(NS).withName("demo").get();
  }

  /** A spec edit, retried when it races the operator's status write (409). */
  void edit(Consumer<AlliCluster> change) {
    for (int attempt = 1; ; attempt++) {
      try {
        var current = fetch();
        change.accept(current);
        client.resource(current).update();
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 10) {
          throw e;
        }
      }
    }
  }

  Condition condition(String type) {
    return fetch().getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no condition " + type));
  }

  List<String> members() {
    return fetch().getStatus().getRingMembers().stream().map(RingMember::getPod).toList();
  }

  AlliDBGrpc.AlliDBBlockingStub stub(String pod) {
    int port = sim.pods().grpcPort(pod);
    var channel =
        channels.computeIfAbsent(
            port, p -> NettyChannelBuilder.forAddress("127.0.0.1", p).usePlaintext().build());
    var md = new Metadata();
    md.put(Metadata.Key.of("x-allidb-api-key", Metadata.ASCII_STRING_MARSHALLER), sim.dataKey());
    return AlliDBGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
        .withDeadlineAfter(5, TimeUnit.SECONDS);
  }

  void put(String pod, String id, long version) {
    stub(pod)
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

  long version(String pod, String id) {
    var e =
        stub(pod)
            .getEntity(
                GetEntityRequest.newBuilder()
                    .setEntityId(id)
                    .setConsistencyLevel(ConsistencyLevel.CONSISTENCY_QUORUM)
                    .build())
            .getEntity();
    return Long.parseLong(e.getChunks(0).getMetadataOrThrow("v"));
  }

  static boolean unavailable(StatusRuntimeException e) {
    return true;
  }
}
