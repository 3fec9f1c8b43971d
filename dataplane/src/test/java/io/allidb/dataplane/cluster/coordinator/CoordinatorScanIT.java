package io.allidb.dataplane.cluster.coordinator;

import static io.allidb.dataplane.cluster.coordinator.ClusterFixtures.entity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.allidb.api.proto.BatchPutEntitiesRequest;
import io.allidb.api.proto.ConsistencyLevel;
import io.allidb.api.proto.DeleteEntityRequest;
import io.allidb.api.proto.Entity;
import io.allidb.api.proto.PutEntityRequest;
import io.allidb.api.proto.RangeScanRequest;
import io.allidb.api.proto.RangeScanResponse;
import io.allidb.dataplane.cluster.LocalCluster;
import io.allidb.dataplane.storage.PageToken;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster-wide scans at RF 2 on three nodes (so no node holds everything): id order across
 * replicas, page tokens that resume on any node, deletes hidden, concurrent writes tolerated.
 */
class CoordinatorScanIT {
  @TempDir Path root;
  private LocalCluster cluster;

  @BeforeEach
  void start() throws Exception {
    cluster = LocalCluster.start(root, 3, 2, b -> b);
  }

  @AfterEach
  void stop() throws Exception {
    cluster.close();
  }

  @Test
  void pagesWalkEveryEntityOnceInIdOrderOnAnyNodeDuringWrites() throws Exception {
    var expected = new TreeSet<String>();
    var batch = BatchPutEntitiesRequest.newBuilder();
    for (int i = 0; i < 230; i++) {
      String id = String.format("e%04d", i);
      expected.add(id);
      batch.addEntities(entity(id, "t", 1, i));
    }
    cluster.stub(0).batchPutEntities(batch.build());
    for (String gone : List.of("e0007", "e0100", "e0229")) {
      cluster.stub(1).deleteEntity(DeleteEntityRequest.newBuilder().setEntityId(gone).build());
      expected.remove(gone);
    }
    // no single replica holds everything: the scan must gather
    for (int n = 0; n < 3; n++) {
      assertThat(cluster.store(n).vectors().size(LocalCluster.TENANT)).isLessThan(227);
    }

    var writing = new AtomicBoolean(true);
    var pool = Executors.newSingleThreadExecutor();
    Future<?> writer =
        pool.submit(
            () -> {
              for (int i = 0; writing.get(); i++) {
                cluster
                    .stub(2)
                    .putEntity(
                        PutEntityRequest.newBuilder()
                            .setEntity(entity(String.format("e%04d-new%d", i % 230, i), "n", 0, 1))
                            .build());
              }
              return null;
            });
    var seen = new ArrayList<String>();
    String token = "";
    int pages = 0;
    try {
      do {
        RangeScanResponse page =
            cluster
                .stub(pages % 3)
                .rangeScan(
                    RangeScanRequest.newBuilder()
                        .setLimit(40)
                        .setPageToken(token)
                        .setConsistencyLevel(
                            pages % 2 == 0
                                ? ConsistencyLevel.CONSISTENCY_ONE
                                : ConsistencyLevel.CONSISTENCY_QUORUM)
                        .build());
        assertThat(page.getEntitiesCount()).isLessThanOrEqualTo(40);
        page.getEntitiesList().stream().map(Entity::getEntityId).forEach(seen::add);
        token = page.getNextPageToken();
        pages++;
      } while (!token.isEmpty() && pages < 100);
    } finally {
      writing.set(false);
      writer.get(30, TimeUnit.SECONDS);
      pool.shutdownNow();
    }
    assertThat(pages).isGreaterThanOrEqualTo(6);
    assertThat(seen).isSorted().doesNotHaveDuplicates();
    var original = seen.stream().filter(id -> !id.contains("-new")).toList();
    assertThat(original).containsExactlyElementsOf(expected);
  }

  @Test
  void startAndEndKeysBoundTheScanAndForeignTokensAreRefused() {
    var batch = BatchPutEntitiesRequest.newBuilder();
    for (int i = 0; i < 50; i++) {
      batch.addEntities(entity(String.format("k%02d", i), "t", 1, i));
    }
    cluster.stub(0).batchPutEntities(batch.build());
    var page =
        cluster
            .stub(1)
            .rangeScan(
                RangeScanRequest.newBuilder()
                    .setStartKey("k10")
                    .setEndKey("k20")
                    .setLimit(7)
                    .build());
    assertThat(page.getEntitiesList())
        .extracting(Entity::getEntityId)
        .containsExactly("k10", "k11", "k12", "k13", "k14", "k15", "k16");
    var rest =
        cluster
            .stub(2)
            .rangeScan(
                RangeScanRequest.newBuilder()
                    .setStartKey("k10")
                    .setEndKey("k20")
                    .setLimit(7)
                    .setPageToken(page.getNextPageToken())
                    .build());
    assertThat(rest.getEntitiesList())
        .extracting(Entity::getEntityId)
        .containsExactly("k17", "k18", "k19");
    assertThat(rest.getNextPageToken()).isEmpty();
    String foreign = PageToken.encode("other-tenant", "k10");
    assertThatThrownBy(
            () ->
                cluster
                    .stub(0)
                    .rangeScan(RangeScanRequest.newBuilder().setPageToken(foreign).build()))
        .hasMessageContaining("INVALID_ARGUMENT")
        .hasMessageContaining("another tenant");
  }
}
