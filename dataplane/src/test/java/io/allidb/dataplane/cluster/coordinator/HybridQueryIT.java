package io.allidb.dataplane.cluster.coordinator;

import static io.allidb.dataplane.cluster.coordinator.ClusterFixtures.entity;
import static io.allidb.dataplane.cluster.coordinator.ClusterFixtures.randomVector;
import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.api.proto.BatchPutEntitiesRequest;
import io.allidb.api.proto.ConsistencyLevel;
import io.allidb.api.proto.Entity;
import io.allidb.api.proto.HybridMode;
import io.allidb.api.proto.QueryFilter;
import io.allidb.api.proto.QueryRequest;
import io.allidb.api.proto.QueryResponse;
import io.allidb.api.proto.QueryResult;
import io.allidb.api.proto.RangeScanRequest;
import io.allidb.api.proto.ScoreWeights;
import io.allidb.dataplane.cluster.LocalCluster;
import io.allidb.dataplane.index.vector.VectorIndexOptions;
import io.allidb.dataplane.node.EntityStore;
import io.allidb.dataplane.query.GraphRagQueryExecutor;
import io.allidb.dataplane.query.QueryDefaults;
import io.allidb.dataplane.query.QueryExecutor;
import io.allidb.dataplane.query.hybrid.HybridQueryExecutor;
import io.allidb.dataplane.storage.StorageOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hybrid modes on three nodes at RF 2 (BM25 scattered over the internode API with the ring's
 * statistics) answer as {@link HybridQueryExecutor} on one node holding the same data: the same ids
 * in the same order, the same fused scores and BM25 ranks, through every node, at QUORUM, and at
 * ONE with a node down. Another tenant's text, written to the same nodes, never appears and does
 * not move the scores.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HybridQueryIT {
  private static final int DIM = 8;
  private static final String[] WORDS = {
    "replica",
    "quorum",
    "token",
    "ring",
    "gossip",
    "hint",
    "repair",
    "merkle",
    "tree",
    "vector",
    "graph",
    "edge",
    "tenant",
    "compaction",
    "segment",
    "checksum",
    "snapshot",
    "latency",
    "index",
    "bloom",
    "filter",
    "stream",
    "batch",
    "cache",
    "leader",
    "lease",
    "clock",
    "drift",
    "shard",
    "cursor",
    "page",
    "commit"
  };

  /** Only the other tenant's entities hold this word. */
  private static final String OTHER_TENANTS_WORD = "zanzibar";

  @TempDir static Path root;
  private LocalCluster cluster;
  private EntityStore union;
  private QueryExecutor single;
  private Random rnd;

  @BeforeAll
  void load() throws Exception {
    rnd = new Random(ClusterFixtures.seed("HybridQueryIT"));
    cluster = LocalCluster.start(root.resolve("cluster"), 3, 2, b -> b);
    var batch = BatchPutEntitiesRequest.newBuilder();
    for (int i = 0; i < 150; i++) {
      Entity e = entity("e" + i, text(1 + rnd.nextInt(25)) + " QX-" + i, randomVector(rnd, DIM));
      batch.addEntities(
          e.toBuilder()
              .setEntityType(i % 3 == 0 ? "person" : "doc")
              .setImportance(rnd.nextGaussian())
              .build());
    }
    cluster.stub(0).batchPutEntities(batch.build());
    var other = BatchPutEntitiesRequest.newBuilder();
    for (int i = 0; i < 40; i++) {
      // many copies of the query words, so leaked statistics would change every score
      other.addEntities(
          entity(
              "g" + i,
              OTHER_TENANTS_WORD + " replica quorum token " + text(3),
              randomVector(rnd, DIM)));
    }
    cluster.stub(1, LocalCluster.OTHER_KEY).batchPutEntities(other.build());

    union =
        EntityStore.open(
            StorageOptions.builder(root.resolve("union")).build(), VectorIndexOptions.defaults());
    for (Entity e :
        cluster
            .stub(2)
            .rangeScan(RangeScanRequest.newBuilder().setLimit(1000).build())
            .getEntitiesList()) {
      union.put(LocalCluster.TENANT, e); // the stored form, timestamps included
    }
    assertThat(union.text().size(LocalCluster.TENANT)).isEqualTo(150);
    var defaults = QueryDefaults.standard();
    var graphRag =
        new GraphRagQueryExecutor(
            union.storage(), union.vectors(), union.graph(), defaults, Clock.systemUTC());
    single =
        new HybridQueryExecutor(
            graphRag,
            union.storage(),
            union.vectors(),
            union.graph(),
            union.text(),
            defaults,
            Clock.systemUTC(),
            () -> true,
            null);
  }

  @AfterAll
  void close() throws Exception {
    cluster.close();
    union.close();
  }

  private String text(int words) {
    var sb = new StringBuilder();
    for (int i = 0; i < words; i++) {
      // skewed: early words are common, late ones rare, so IDF matters
      int w = (int) (WORDS.length * Math.pow(rnd.nextDouble(), 2));
      sb.append(i == 0 ? "" : " ").append(WORDS[w]);
    }
    return sb.toString();
  }

  private QueryRequest.Builder query(String text) {
    var q = QueryRequest.newBuilder().setK(10).setExpandFactor(2).setQueryText(text);
    for (float x : randomVector(rnd, DIM)) {
      q.addQueryVector(x);
    }
    // recency moves with the clock between the two executions
    return q.setWeights(ScoreWeights.newBuilder().setRecency(0));
  }

  private List<QueryRequest> queries() {
    var out = new ArrayList<QueryRequest>();
    for (int round = 0; round < 4; round++) {
      String words = WORDS[rnd.nextInt(WORDS.length)] + " " + WORDS[rnd.nextInt(WORDS.length)];
      out.add(query(words).build()); // query_text alone: RRF by default
      out.add(
          query(words + " QX-" + rnd.nextInt(150))
              .setHybridMode(HybridMode.HYBRID_MODE_RRF)
              .build());
      out.add(
          query(words).setHybridMode(HybridMode.HYBRID_MODE_WEIGHTED).setTextWeight(1.0).build());
      out.add(
          query(words)
              .setHybridMode(HybridMode.HYBRID_MODE_RRF)
              .setFilter(QueryFilter.newBuilder().addEntityTypes("person"))
              .build());
    }
    return out;
  }

  @Test
  void everyNodeAnswersLikeOneNodeHoldingAllTheData() throws Exception {
    for (QueryRequest q : queries()) {
      QueryResponse expected = single.execute(LocalCluster.TENANT, q);
      assertThat(expected.getResultsList()).anyMatch(r -> r.getBreakdown().getTextRank() > 0);
      for (int n = 0; n < 3; n++) {
        assertSame(cluster.stub(n).query(q), expected, "node n" + (n + 1) + " " + q.getQueryText());
      }
      var quorum = q.toBuilder().setConsistencyLevel(ConsistencyLevel.CONSISTENCY_QUORUM).build();
      assertSame(cluster.stub(0).query(quorum), expected, "QUORUM " + q.getQueryText());
    }
  }

  @Test
  void withANodeDownTheOthersAnswerTheSameAtOne() throws Exception {
    var queries = queries();
    cluster.stop(1);
    try {
      for (QueryRequest q : queries) {
        QueryResponse expected = single.execute(LocalCluster.TENANT, q);
        var one = q.toBuilder().setConsistencyLevel(ConsistencyLevel.CONSISTENCY_ONE).build();
        for (int n : new int[] {0, 2}) {
          assertSame(cluster.stub(n).query(one), expected, "n" + (n + 1) + " with n2 down");
        }
      }
    } finally {
      cluster.restart(1);
    }
  }

  @Test
  void anotherTenantsTextNeverAppears() throws Exception {
    for (int n = 0; n < 3; n++) {
      // text dominates: the best BM25 hit comes first
      QueryRequest q =
          query(OTHER_TENANTS_WORD)
              .setHybridMode(HybridMode.HYBRID_MODE_WEIGHTED)
              .setTextWeight(10)
              .build();
      QueryResponse r = cluster.stub(n).query(q);
      assertThat(r.getResultsList())
          .allSatisfy(
              x -> {
                assertThat(x.getEntityId()).startsWith("e");
                assertThat(x.getBreakdown().getTextRank()).isZero();
              });
      QueryResponse theirs = cluster.stub(n, LocalCluster.OTHER_KEY).query(q);
      assertThat(theirs.getResultsList())
          .isNotEmpty()
          .allSatisfy(x -> assertThat(x.getEntityId()).startsWith("g"));
      // the first result has the best BM25 score (others may tie with it)
      assertThat(theirs.getResults(0).getBreakdown().getText()).isEqualTo(1.0);
      assertThat(theirs.getResults(0).getBreakdown().getTextRank()).isPositive();
    }
  }

  private static void assertSame(QueryResponse got, QueryResponse expected, String what) {
    assertThat(ids(got)).as(what).containsExactlyElementsOf(ids(expected));
    for (int i = 0; i < got.getResultsCount(); i++) {
      QueryResult g = got.getResults(i);
      QueryResult e = expected.getResults(i);
      assertThat(g.getBreakdown().getTextRank())
          .as("%s text rank of %s", what, g.getEntityId())
          .isEqualTo(e.getBreakdown().getTextRank());
      assertThat(g.getBreakdown().getText())
          .as("%s text score of %s", what, g.getEntityId())
          .isCloseTo(e.getBreakdown().getText(), Offset.offset(1e-5));
      assertThat(g.getScore())
          .as("%s score of %s", what, g.getEntityId())
          .isCloseTo(e.getScore(), Offset.offset(1e-5));
      assertThat(g.getEntity().getEntityId()).isEqualTo(g.getEntityId());
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
