package io.allidb.dataplane.cluster.coordinator;

import static io.allidb.dataplane.cluster.coordinator.ClusterFixtures.entity;
import static io.allidb.dataplane.cluster.coordinator.ClusterFixtures.index;
import static io.allidb.dataplane.cluster.coordinator.ClusterFixtures.replicaRow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.allidb.api.proto.BatchPutEntitiesRequest;
import io.allidb.api.proto.ConsistencyLevel;
import io.allidb.api.proto.DeleteEntityRequest;
import io.allidb.api.proto.Entity;
import io.allidb.api.proto.GetEntityRequest;
import io.allidb.api.proto.PutEntityRequest;
import io.allidb.dataplane.cluster.LocalCluster;
import io.allidb.dataplane.storage.row.Row;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes on three real nodes at RF 3: QUORUM with a node down succeeds and leaves durable hints,
 * which bring the node back in line once it restarts; ALL refuses clearly; deletes replicate.
 */
class CoordinatorWritesIT {
  @TempDir Path root;
  private LocalCluster cluster;

  @BeforeEach
  void start() throws Exception {
    cluster = LocalCluster.start(root, 3, 3, b -> b);
  }

  @AfterEach
  void stop() throws Exception {
    cluster.close();
  }

  @Test
  void quorumWritesWithANodeDownAreHintedAndReplayedWhenItReturns() throws Exception {
    cluster.stop(2);
    var ids = new ArrayList<String>();
    for (int i = 0; i < 40; i++) {
      String id = "single-" + i;
      ids.add(id);
      cluster
          .stub(i % 2)
          .putEntity(
              PutEntityRequest.newBuilder()
                  .setEntity(entity(id, "v" + i, 1, i))
                  .setConsistencyLevel(ConsistencyLevel.CONSISTENCY_QUORUM)
                  .build());
    }
    var batch = BatchPutEntitiesRequest.newBuilder();
    for (int i = 0; i < 60; i++) {
      String id = "batch-" + i;
      ids.add(id);
      batch.addEntities(entity(id, "b" + i, i, 1));
    }
    var reply = cluster.stub(0).batchPutEntities(batch.build()); // server default: QUORUM
    assertThat(reply.getSuccessCount()).isEqualTo(60);
    cluster.stub(1).deleteEntity(DeleteEntityRequest.newBuilder().setEntityId("single-3").build());

    // every write missed by n3 is a durable hint on the coordinator that took it
    long hinted =
        cluster.server(0).hintStore().pending("n3") + cluster.server(1).hintStore().pending("n3");
    assertThat(hinted).isEqualTo(101);
    assertThat(hintFiles(0)).isNotEmpty();

    cluster.restart(2);
    cluster.server(0).hintReplayer().runOnce();
    cluster.server(1).hintReplayer().runOnce();

    for (String id : ids) {
      Optional<Row> expected = replicaRow(cluster, 0, id);
      assertThat(expected).as(id).isPresent();
      for (int n = 1; n < 3; n++) {
        assertThat(replicaRow(cluster, n, id)).as("%s on n%d", id, n + 1).isEqualTo(expected);
      }
    }
    assertThat(replicaRow(cluster, 2, "single-3").orElseThrow().tombstone()).isTrue();
    assertThat(cluster.store(2).vectors().size(LocalCluster.TENANT)).isEqualTo(99);
    assertThat(cluster.server(0).hintStore().pending("n3")).isZero();
    assertThat(hintFiles(0)).isEmpty();
    assertThat(hintFiles(1)).isEmpty();
  }

  @Test
  void theReplayerDeliversOnItsOwnOnceTheTargetIsAlive() throws Exception {
    cluster.close();
    cluster = LocalCluster.start(root.resolve("fast"), 3, 3, Duration.ofMillis(200), b -> b);
    cluster.markDown(1, true);
    cluster
        .stub(0)
        .putEntity(PutEntityRequest.newBuilder().setEntity(entity("a", "x", 1, 0)).build());
    assertThat(replicaRow(cluster, 1, "a")).isEmpty();
    cluster.markDown(1, false);
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> assertThat(replicaRow(cluster, 1, "a")).isEqualTo(replicaRow(cluster, 0, "a")));
  }

  @Test
  void allFailsClearlyWhenAReplicaIsDownAndWritesNothing() throws Exception {
    cluster.stop(1);
    assertThatThrownBy(
            () ->
                cluster
                    .stub(0)
                    .putEntity(
                        PutEntityRequest.newBuilder()
                            .setEntity(entity("x", "all", 1, 0))
                            .setConsistencyLevel(ConsistencyLevel.CONSISTENCY_ALL)
                            .build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
              assertThat(e.getStatus().getDescription())
                  .contains("not enough replicas alive for ALL")
                  .contains("need 3")
                  .contains("down: [n2]");
            });
    assertThat(replicaRow(cluster, 0, "x")).isEmpty();
    assertThat(cluster.server(0).hintStore().pending("n2")).isZero();
    // reads at ALL refuse the same way; QUORUM still answers
    assertThatThrownBy(
            () ->
                cluster
                    .stub(0)
                    .getEntity(
                        GetEntityRequest.newBuilder()
                            .setEntityId("x")
                            .setConsistencyLevel(ConsistencyLevel.CONSISTENCY_ALL)
                            .build()))
        .hasMessageContaining("UNAVAILABLE");
    cluster
        .stub(0)
        .putEntity(PutEntityRequest.newBuilder().setEntity(entity("x", "q", 1, 0)).build());
    Entity read =
        cluster
            .stub(2)
            .getEntity(GetEntityRequest.newBuilder().setEntityId("x").build())
            .getEntity();
    assertThat(read.getChunks(0).getText()).isEqualTo("q");
  }

  @Test
  void quorumFailsWhenTwoOfThreeReplicasAreDown() throws Exception {
    cluster.stop(1);
    cluster.stop(2);
    assertThatThrownBy(
            () ->
                cluster
                    .stub(0)
                    .putEntity(
                        PutEntityRequest.newBuilder().setEntity(entity("y", "q", 1, 0)).build()))
        .hasMessageContaining("UNAVAILABLE")
        .hasMessageContaining("for QUORUM")
        .hasMessageContaining("need 2");
    // ONE still writes, and hints both missing replicas
    cluster
        .stub(0)
        .putEntity(
            PutEntityRequest.newBuilder()
                .setEntity(entity("y", "one", 1, 0))
                .setConsistencyLevel(ConsistencyLevel.CONSISTENCY_ONE)
                .build());
    assertThat(cluster.server(0).hintStore().pending("n2")).isEqualTo(1);
    assertThat(cluster.server(0).hintStore().pending("n3")).isEqualTo(1);
    assertThat(cluster.replicasOf("y")).hasSize(3).allMatch(h -> index(h) < 3);
  }

  private List<Path> hintFiles(int node) throws Exception {
    Path dir = root.resolve(LocalCluster.host(node)).resolve("hints");
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".hints")).toList();
    }
  }
}
