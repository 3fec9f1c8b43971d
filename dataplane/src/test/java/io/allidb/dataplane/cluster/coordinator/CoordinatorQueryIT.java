package io.allidb.dataplane.cluster.coordinator;

import static io.allidb.dataplane.cluster.coordinator.ClusterFixtures.entity;
import static io.allidb.dataplane.cluster.coordinator.ClusterFixtures.randomVector;
import static io.allidb.dataplane.cluster.coordinator.ClusterFixtures.withEdge;
import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.api.proto.BatchPutEntitiesRequest;
import io.allidb.api.proto.ConsistencyLevel;
import io.allidb.api.proto.Entity;
import io.allidb.api.proto.QueryFilter;
import io.allidb.api.proto.QueryRequest;
import io.allidb.api.proto.QueryResponse;
import io.allidb.api.proto.QueryResult;
import io.allidb.api.proto.RangeScanRequest;
import io.allidb.api.proto.ScoreWeights;
import io.allidb.dataplane.cluster.LocalCluster;
import io.allidb.dataplane.index.vector.VectorIndexOptions;
import io.allidb.dataplane.node.EntityStore;
import io.allidb.dataplane.query.BruteForceQueryExecutor;
import io.allidb.dataplane.query.GraphRagQueryExecutor;
import io.allidb.dataplane.query.QueryDefaults;
import io.allidb.dataplane.storage.StorageOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Graph RAG query scattered over three nodes at RF 2 answers the same through every node, and
 * the same as the single-node executors over the union of the data: {@link GraphRagQueryExecutor}
 * for ANN plus expansion, {@link BruteForceQueryExecutor} (exact) when no edge is followed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CoordinatorQueryIT {
  private static final int DIM = 8;
  @TempDir static Path root;
  private LocalCluster cluster;
  private EntityStore union;
  private Random rnd;

  @BeforeAll
  void load() throws Exception {
    rnd = new Random(ClusterFixtures.seed("CoordinatorQueryIT"));
    cluster = LocalCluster.start(root.resolve("cluster"), 3, 2, b -> b);
    var batch = BatchPutEntitiesRequest.newBuilder();
    double[] weights = {0.25, 0.5, 0.75, 1.0};
    for (int i = 0; i < 160; i++) {
      Entity e = entity("e" + i, "text " + i, randomVector(rnd, DIM));
      e =
          e.toBuilder()
              .setEntityType(i % 3 == 0 ? "person" : "doc")
              .setImportance(rnd.nextGaussian() * 2)
              .build();
      for (int j = 0; j < 3; j++) {
        e =
            withEdge(
                e, "e" + rnd.nextInt(160), j == 0 ? "cites" : "mentions", weights[rnd.nextInt(4)]);
      }
      batch.addEntities(e);
    }
    cluster.stub(0).batchPutEntities(batch.build());
    union =
        EntityStore.open(
            StorageOptions.builder(root.resolve("union")).build(), VectorIndexOptions.defaults());
    for (Entity e :
        cluster
            .stub(1)
            .rangeScan(RangeScanRequest.newBuilder().setLimit(1000).build())
            .getEntitiesList()) {
      union.put(LocalCluster.TENANT, e); // the stored form, timestamps included
    }
    assertThat(union.vectors().size(LocalCluster.TENANT)).isEqualTo(160);
  }

  @AfterAll
  void close() throws Exception {
    cluster.close();
    union.close();
  }

  private QueryRequest.Builder query() {
    var q = QueryRequest.newBuilder().setK(8).setExpandFactor(3).setOmitEntities(true);
    for (float x : randomVector(rnd, DIM)) {
      q.addQueryVector(x);
    }
    // recency moves with the clock between calls: left out of the comparison. Importance is left
    // out for the exact oracle, which ranks every entity, not only the ANN seeds
    return q.setWeights(ScoreWeights.newBuilder().setRecency(0).setImportance(0));
  }

  @Test
  void everyNodeAnswersLikeTheSingleNodeExecutorOverAllTheData() throws Exception {
    var local =
        new GraphRagQueryExecutor(
            union.storage(),
            union.vectors(),
            union.graph(),
            QueryDefaults.standard(),
            Clock.systemUTC());
    for (int round = 0; round < 5; round++) {
      // importance counts here, so entities reached through the graph make the top k
      QueryRequest q =
          query()
              .setMaxHops(2)
              .setWeights(ScoreWeights.newBuilder().setRecency(0).setImportance(1).setVector(0.1))
              .build();
      QueryResponse expected = local.execute(LocalCluster.TENANT, q);
      assertThat(expected.getResultsList()).anyMatch(r -> r.getBreakdown().getHops() > 0);
      for (int n = 0; n < 3; n++) {
        assertSame(cluster.stub(n).query(q), expected, "node n" + (n + 1));
      }
      var quorum = q.toBuilder().setConsistencyLevel(ConsistencyLevel.CONSISTENCY_QUORUM).build();
      assertSame(cluster.stub(round % 3).query(quorum), expected, "QUORUM");
    }
  }

  @Test
  void withoutExpansionEveryNodeReturnsTheExactTopK() throws Exception {
    var exact = new BruteForceQueryExecutor(union.storage(), Clock.systemUTC());
    for (int round = 0; round < 5; round++) {
      QueryRequest q = query().addRelationTypes("no-such-relation").build();
      QueryResponse expected = exact.execute(LocalCluster.TENANT, q);
      for (int n = 0; n < 3; n++) {
        assertSame(cluster.stub(n).query(q), expected, "node n" + (n + 1));
      }
    }
  }

  @Test
  void filtersApplyBeforeTheCutOnEveryNode() throws Exception {
    var exact = new BruteForceQueryExecutor(union.storage(), Clock.systemUTC());
    QueryRequest q =
        query()
            .addRelationTypes("no-such-relation")
            .setFilter(QueryFilter.newBuilder().addEntityTypes("person"))
            .build();
    QueryResponse expected = exact.execute(LocalCluster.TENANT, q);
    assertThat(expected.getResultsCount()).isEqualTo(8);
    for (int n = 0; n < 3; n++) {
      QueryResponse got = cluster.stub(n).query(q);
      assertSame(got, expected, "node n" + (n + 1));
    }
  }

  private static void assertSame(QueryResponse got, QueryResponse expected, String what) {
    assertThat(ids(got)).as(what).containsExactlyElementsOf(ids(expected));
    for (int i = 0; i < got.getResultsCount(); i++) {
      assertThat(got.getResults(i).getScore())
          .as("%s score of %s", what, got.getResults(i).getEntityId())
          .isCloseTo(expected.getResults(i).getScore(), org.assertj.core.data.Offset.offset(1e-6));
    }
  }

  private static List<String> ids(QueryResponse r) {
    var out = new ArrayList<String>();
    for (QueryResult x : r.getResultsList()) {
      out.add(x.getEntityId());
    }
    return out;
  }
}
