package io.allidb.dataplane.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.api.proto.Entity;
import io.allidb.api.proto.GraphEdge;
import io.allidb.api.proto.QueryFilter;
import io.allidb.api.proto.QueryRequest;
import io.allidb.api.proto.QueryResponse;
import io.allidb.api.proto.QueryResult;
import io.allidb.api.proto.TraversalDirection;
import io.allidb.api.proto.VectorEmbedding;
import io.allidb.dataplane.index.vector.VectorIndexOptions;
import io.allidb.dataplane.node.EntityStore;
import io.allidb.dataplane.storage.StorageOptions;
import io.allidb.dataplane.testing.Seeds;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Graph RAG query over real storage and indexes: hops, relations, direction, fan-out, filters
 * before the top-k cut, deletes, tenants, and agreement with the brute-force oracle.
 */
class GraphRagQueryExecutorTest {
  @TempDir Path dir;
  private EntityStore store;
  private GraphRagQueryExecutor executor;

  @BeforeEach
  void open() throws Exception {
    store = EntityStore.open(StorageOptions.builder(dir).build(), VectorIndexOptions.defaults());
    executor =
        new GraphRagQueryExecutor(
            store.storage(),
            store.vectors(),
            store.graph(),
            QueryDefaults.standard(),
            Clock.systemUTC());
  }

  @AfterEach
  void close() throws Exception {
    store.close();
  }

  /** seed (near the query) -cites-> a -cites-> b; seed -mentions-> m; x <-cites- seed-less p. */
  /**
   * seed -cites-> a -cites-> b; seed -mentions-> m; p -cites-> seed. Only "seed" has a vector, so
   * every other entity can only be reached through the graph.
   */
  private void chain() throws Exception {
    store.put(
        "t",
        entity(
            "seed",
            "doc",
            new float[] {1, 0},
            edge("seed", "a", "cites", 0.8),
            edge("seed", "m", "mentions", 0.6)));
    store.put("t", entity("a", "doc", null, edge("a", "b", "cites", 0.4)));
    store.put("t", entity("b", "person", null));
    store.put("t", entity("m", "person", null));
    store.put("t", entity("p", "doc", null, edge("p", "seed", "cites", 1.0)));
  }

  @Test
  void expandsUpToMaxHopsAndScoresThePathByItsMeanEdgeWeight() throws Exception {
    chain();
    var oneHop = run(request(10).setMaxHops(1).setExpandFactor(1).build());
    assertThat(ids(oneHop)).contains("seed", "a", "m").doesNotContain("b");

    var twoHops = run(request(1).setMaxHops(2).setExpandFactor(1).setK(10).build());
    QueryResult b = result(twoHops, "b");
    assertThat(b.getBreakdown().getHops()).isEqualTo(2);
    assertThat(b.getBreakdown().getSeedEntityId()).isEqualTo("seed");
    assertThat(b.getBreakdown().getGraph())
        .isCloseTo((0.8 + 0.4) / 2, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(result(twoHops, "seed").getBreakdown().getGraph()).isEqualTo(1.0);
  }

  @Test
  void followsOnlyTheAskedRelationsAndDirection() throws Exception {
    chain();
    var cites =
        run(
            request(10)
                .setMaxHops(1)
                .setExpandFactor(1)
                .addRelationTypes("cites")
                .setDirection(TraversalDirection.TRAVERSAL_DIRECTION_OUTGOING)
                .setK(10)
                .build());
    assertThat(ids(cites)).contains("a").doesNotContain("m", "p");

    var incoming =
        run(
            request(10)
                .setMaxHops(1)
                .setExpandFactor(1)
                .setDirection(TraversalDirection.TRAVERSAL_DIRECTION_INCOMING)
                .setK(10)
                .build());
    assertThat(result(incoming, "p").getBreakdown().getHops()).isEqualTo(1);
    assertThat(ids(incoming)).doesNotContain("a", "m");
  }

  @Test
  void fanOutCapKeepsTheHeaviestEdges() throws Exception {
    var seed = entity("hub", "doc", new float[] {1, 0});
    var b = seed.toBuilder();
    for (int i = 0; i < 6; i++) {
      store.put("t", entity("n" + i, "doc", null));
      b.addOutgoingEdges(edge("hub", "n" + i, "links", 0.1 * (i + 1)));
    }
    store.put("t", b.build());
    var response = run(request(10).setExpandFactor(1).setMaxHops(1).setMaxFanoutPerHop(2).build());
    assertThat(ids(response)).containsExactlyInAnyOrder("hub", "n5", "n4");
  }

  @Test
  void filtersApplyBeforeTheTopKCutSoKMatchesComeBack() throws Exception {
    long seed = Seeds.seed("filtersApplyBeforeTheTopKCutSoKMatchesComeBack");
    var rnd = new Random(seed);
    for (int i = 0; i < 300; i++) {
      // persons sit far from the query direction, documents close to it
      boolean person = i % 30 == 0;
      float[] v = person ? new float[] {-1, rnd.nextFloat()} : new float[] {1, rnd.nextFloat()};
      store.put("t", entity("e" + i, person ? "person" : "doc", v));
    }
    var response =
        run(request(5).setFilter(QueryFilter.newBuilder().addEntityTypes("person")).build());
    assertThat(response.getResultsList())
        .as("seed %d", seed)
        .hasSize(5)
        .allSatisfy(r -> assertThat(r.getEntity().getEntityType()).isEqualTo("person"));
  }

  @Test
  void deletedEntitiesAndOtherTenantsNeverAppear() throws Exception {
    chain();
    store.put("other", entity("seed", "doc", new float[] {1, 0}));
    store.put("other", entity("secret", "doc", new float[] {1, 0.01f}));
    store.delete("t", "a");
    var response = run(request(10).setMaxHops(2).build());
    assertThat(ids(response)).doesNotContain("a", "secret");
    assertThat(response.getResultsList())
        .allSatisfy(r -> assertThat(r.getEntity().getTenantId()).isEqualTo("t"));
  }

  @Test
  void withoutEdgesItAgreesWithTheBruteForceOracle() throws Exception {
    long seed = Seeds.seed("withoutEdgesItAgreesWithTheBruteForceOracle");
    var rnd = new Random(seed);
    for (int i = 0; i < 500; i++) {
      store.put(
          "t",
          entity(
              "e" + i,
              "doc",
              new float[] {
                rnd.nextFloat() - 0.5f, rnd.nextFloat() - 0.5f, rnd.nextFloat() - 0.5f
              }));
    }
    var oracle = new BruteForceQueryExecutor(store.storage(), Clock.systemUTC());
    for (int q = 0; q < 20; q++) {
      var req =
          QueryRequest.newBuilder()
              .addQueryVector(rnd.nextFloat() - 0.5f)
              .addQueryVector(rnd.nextFloat() - 0.5f)
              .addQueryVector(rnd.nextFloat() - 0.5f)
              .setK(10)
              .setEf(200)
              .setOmitEntities(true)
              .build();
      assertThat(ids(run(req)))
          .as("query %d seed %d", q, seed)
          .isEqualTo(ids(oracle.execute("t", req)));
    }
  }

  /**
   * Scores come from the indexes' in-memory copies (vector, type, importance, update time), not
   * from storage; with every entity a candidate they must equal the storage-reading oracle's bit
   * for bit, entities included.
   */
  @Test
  void scoresBreakdownsAndEntitiesEqualTheOraclesWhenEveryEntityIsACandidate() throws Exception {
    long seed = Seeds.seed("scoresBreakdownsAndEntitiesEqualTheOraclesWhenEveryEntityIsACandidate");
    var rnd = new Random(seed);
    var clock = Clock.fixed(Instant.parse("2026-11-26T00:00:00Z"), ZoneOffset.UTC);
    long now = clock.instant().getEpochSecond() * 1_000_000_000L;
    for (int i = 0; i < 300; i++) {
      var v = new float[] {rnd.nextFloat() - 0.5f, rnd.nextFloat() - 0.5f, rnd.nextFloat() - 0.5f};
      store.put(
          "t",
          entity("e" + i, i % 3 == 0 ? "person" : "doc", v).toBuilder()
              .setImportance(rnd.nextGaussian() * 2)
              .setUpdatedAtNanos(now - (long) (rnd.nextDouble() * 90 * 86_400e9))
              .build());
    }
    store.delete("t", "e7"); // gone from the indexes too: never a candidate
    var indexed =
        new GraphRagQueryExecutor(
            store.storage(), store.vectors(), store.graph(), QueryDefaults.standard(), clock);
    var oracle = new BruteForceQueryExecutor(store.storage(), clock);
    for (int q = 0; q < 20; q++) {
      var req =
          QueryRequest.newBuilder()
              .addQueryVector(rnd.nextFloat() - 0.5f)
              .addQueryVector(rnd.nextFloat() - 0.5f)
              .addQueryVector(rnd.nextFloat() - 0.5f)
              .setK(10)
              .setExpandFactor(40) // 400 seeds: every entity is a candidate
              .setOmitEntities(q % 2 == 0);
      if (q % 4 == 1) {
        req.setFilter(QueryFilter.newBuilder().addEntityTypes("person"));
      }
      assertThat(indexed.execute("t", req.build()))
          .as("query %d seed %d", q, seed)
          .isEqualTo(oracle.execute("t", req.build()));
    }
  }

  @Test
  void serverWeightsApplyAndARequestOverridesThemOneByOne() throws Exception {
    store.put("t", entity("near", "doc", new float[] {1, 0}));
    store.put(
        "t", entity("important", "doc", new float[] {0, 1}).toBuilder().setImportance(5).build());
    var importanceOnly =
        new GraphRagQueryExecutor(
            store.storage(),
            store.vectors(),
            store.graph(),
            QueryDefaults.standard().withWeights(new ScoringWeights(0, 0, 1, 0)),
            Clock.systemUTC());
    var byServer = importanceOnly.execute("t", request(2).build());
    assertThat(ids(byServer)).containsExactly("important", "near");
    var overridden =
        importanceOnly.execute(
            "t",
            request(2)
                .setWeights(io.allidb.api.proto.ScoreWeights.newBuilder().setVector(10))
                .build());
    assertThat(ids(overridden)).containsExactly("near", "important");
    assertThat(overridden.getResults(0).getScore())
        .isCloseTo(10 * 1.0 + 1 * 0.5, org.assertj.core.data.Offset.offset(1e-9));
  }

  private QueryResponse run(QueryRequest request) throws Exception {
    return executor.execute("t", request);
  }

  private static QueryRequest.Builder request(int k) {
    return QueryRequest.newBuilder().addQueryVector(1).addQueryVector(0).setK(k);
  }

  private static List<String> ids(QueryResponse r) {
    return r.getResultsList().stream().map(QueryResult::getEntityId).toList();
  }

  private static QueryResult result(QueryResponse r, String id) {
    return r.getResultsList().stream()
        .filter(x -> x.getEntityId().equals(id))
        .findFirst()
        .orElseThrow(() -> new AssertionError(id + " not in " + ids(r)));
  }

  private static GraphEdge edge(String from, String to, String relation, double weight) {
    return GraphEdge.newBuilder()
        .setFromEntity(from)
        .setToEntity(to)
        .setRelation(relation)
        .setWeight(weight)
        .build();
  }

  /** An entity with a vector, or without one (reachable only through edges) when v is null. */
  private static Entity entity(String id, String type, float[] v, GraphEdge... edges) {
    var e =
        Entity.newBuilder().setEntityId(id).setEntityType(type).addAllOutgoingEdges(List.of(edges));
    if (v != null) {
      var emb = VectorEmbedding.newBuilder().setVersion(1);
      for (float x : v) {
        emb.addVector(x);
      }
      e.addEmbeddings(emb);
    }
    return e.build();
  }
}
