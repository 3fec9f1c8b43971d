package io.allidb.dataplane.cluster.coordinator;

import static io.allidb.dataplane.cluster.coordinator.ClusterFixtures.entity;
import static io.allidb.dataplane.cluster.coordinator.ClusterFixtures.replicaRow;
import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.api.proto.ConsistencyLevel;
import io.allidb.api.proto.DeleteEntityRequest;
import io.allidb.api.proto.GetEntityRequest;
import io.allidb.api.proto.PutEntityRequest;
import io.allidb.dataplane.cluster.LocalCluster;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica that missed a write (a false suspicion: it was marked down, so it got a hint that is
 * not replayed yet) serves stale data at ONE, and a QUORUM read through it returns the newest
 * version and repairs it before answering.
 */
class CoordinatorReadRepairIT {
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

  private void put(int node, String text, ConsistencyLevel level) {
    cluster
        .stub(node)
        .putEntity(
            PutEntityRequest.newBuilder()
                .setEntity(entity("doc", text, 1, 0))
                .setConsistencyLevel(level)
                .build());
  }

  private String get(int node, ConsistencyLevel level) {
    return cluster
        .stub(node)
        .getEntity(
            GetEntityRequest.newBuilder().setEntityId("doc").setConsistencyLevel(level).build())
        .getEntity()
        .getChunks(0)
        .getText();
  }

  @Test
  void aQuorumReadRepairsTheStaleReplicaBeforeAnswering() throws Exception {
    put(0, "v1", ConsistencyLevel.CONSISTENCY_ALL);
    cluster.markDown(2, true);
    put(0, "v2", ConsistencyLevel.CONSISTENCY_QUORUM);
    cluster.markDown(2, false);
    assertThat(replicaRow(cluster, 2, "doc")).isNotEqualTo(replicaRow(cluster, 0, "doc"));

    // n3 answers ONE from itself: stale, and (repair chance 0) left stale
    assertThat(get(2, ConsistencyLevel.CONSISTENCY_ONE)).isEqualTo("v1");
    assertThat(replicaRow(cluster, 2, "doc")).isNotEqualTo(replicaRow(cluster, 0, "doc"));

    // QUORUM through n3: its own data and n1's digest disagree; the newest wins and n3 is
    // repaired before the answer, so it is already current when the call returns
    assertThat(get(2, ConsistencyLevel.CONSISTENCY_QUORUM)).isEqualTo("v2");
    assertThat(replicaRow(cluster, 2, "doc")).isEqualTo(replicaRow(cluster, 0, "doc"));
    assertThat(
            cluster
                .store(2)
                .storage()
                .get(LocalCluster.TENANT, "doc")
                .orElseThrow()
                .getChunks(0)
                .getText())
        .isEqualTo("v2");
    assertThat(get(2, ConsistencyLevel.CONSISTENCY_ONE)).isEqualTo("v2");
  }

  @Test
  void aNewerTombstoneWinsTheReadAndIsRepairedToo() throws Exception {
    put(0, "v1", ConsistencyLevel.CONSISTENCY_ALL);
    cluster.markDown(1, true);
    cluster
        .stub(0)
        .deleteEntity(
            DeleteEntityRequest.newBuilder()
                .setEntityId("doc")
                .setConsistencyLevel(ConsistencyLevel.CONSISTENCY_QUORUM)
                .build());
    cluster.markDown(1, false);
    assertThat(get(1, ConsistencyLevel.CONSISTENCY_ONE)).isEqualTo("v1");
    try {
      get(1, ConsistencyLevel.CONSISTENCY_ALL);
      throw new AssertionError("a deleted entity was read");
    } catch (StatusRuntimeException e) {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }
    assertThat(replicaRow(cluster, 1, "doc").orElseThrow().tombstone()).isTrue();
  }
}
