package io.allidb.dataplane.server;

import static io.allidb.dataplane.server.GrpcAssertions.assertStatus;
import static io.allidb.dataplane.server.TestNode.KEY_A;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.allidb.api.proto.AlliDBGrpc.AlliDBBlockingStub;
import io.allidb.api.proto.BatchPutEntitiesRequest;
import io.allidb.api.proto.DeleteEntityRequest;
import io.allidb.api.proto.Entity;
import io.allidb.api.proto.QueryFilter;
import io.allidb.api.proto.QueryRequest;
import io.allidb.api.proto.QueryResponse;
import io.allidb.api.proto.QueryResult;
import io.allidb.api.proto.ScoreWeights;
import io.allidb.api.proto.TextChunk;
import io.allidb.api.proto.VectorEmbedding;
import io.allidb.dataplane.query.BruteForceQueryExecutor;
import io.allidb.dataplane.testing.MutableClock;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The brute-force fallback executor behind the Query RPC: exact top-k, filters, breakdowns. */
class QueryFallbackTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(T0);
  private TestNode node;
  private AlliDBBlockingStub a;

  @BeforeEach
  void start() throws Exception {
    node =
        TestNode.inProcess(
            dir,
            clock,
            b -> b.vectorDimension(2),
            store -> new BruteForceQueryExecutor(store.storage(), clock));
    a = node.stub(KEY_A);
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
  }

  /** An entity whose vector is at {@code degrees} on the unit circle. */
  private static Entity at(String id, double degrees, String type, String lang) {
    double r = Math.toRadians(degrees);
    return Entity.newBuilder()
        .setEntityId(id)
        .setEntityType(type)
        .addEmbeddings(VectorEmbedding.newBuilder().addVector(9).addVector(9)) // older version
        .addEmbeddings(
            VectorEmbedding.newBuilder()
                .addVector((float) Math.cos(r))
                .addVector((float) Math.sin(r)))
        .addChunks(TextChunk.newBuilder().setChunkId(id + "#0").putMetadata("lang", lang))
        .build();
  }

  private void put(Entity... entities) {
    var batch = BatchPutEntitiesRequest.newBuilder();
    for (Entity e : entities) {
      batch.addEntities(e);
    }
    assertThat(a.batchPutEntities(batch.build()).getSuccess()).isTrue();
  }

  private static QueryRequest.Builder towardZeroDegrees(int k) {
    return QueryRequest.newBuilder().addQueryVector(1).addQueryVector(0).setK(k);
  }

  @Test
  void returnsTheKNearestByLatestEmbeddingWithTheOriginalDefaultScore() {
    for (int i = 0; i < 30; i++) {
      put(at(String.format("e%02d", i), i * 6, "doc", "en"));
    }
    clock.advance(Duration.ofDays(30));

    QueryResponse response = a.query(towardZeroDegrees(5).setTraceId("t-1").build());

    assertThat(response.getTraceId()).isEqualTo("t-1");
    assertThat(response.getTotalResults()).isEqualTo(5);
    assertThat(response.getResultsList())
        .extracting(QueryResult::getEntityId)
        .containsExactly("e00", "e01", "e02", "e03", "e04");
    QueryResult best = response.getResults(0);
    assertThat(best.getEntity().getEntityId()).isEqualTo("e00");
    var b = best.getBreakdown();
    assertThat(b.getVector()).isCloseTo(1.0, within(1e-6));
    assertThat(b.getGraph()).isEqualTo(1.0);
    assertThat(b.getImportance()).isCloseTo(0.5, within(1e-12));
    assertThat(b.getRecency()).isCloseTo(Math.exp(-1), within(1e-9)); // one e-folding time old
    assertThat(b.getHops()).isZero();
    assertThat(b.getSeedEntityId()).isEqualTo("e00");
    // 1.0*1 + 0.3*1 + 0.2*0.5 + 0.1*e^-1
    assertThat(best.getScore()).isCloseTo(1.4 + 0.1 * Math.exp(-1), within(1e-6));
  }

  @Test
  void filtersApplyBeforeTheTopKCut() {
    for (int i = 0; i < 20; i++) {
      // the 10 nearest are "person"; the rest "doc", half of them in German
      put(at("n" + (100 + i), i, i < 10 ? "person" : "doc", i % 2 == 0 ? "de" : "en"));
    }
    var docs =
        a.query(
            towardZeroDegrees(5).setFilter(QueryFilter.newBuilder().addEntityTypes("doc")).build());
    assertThat(docs.getResultsList())
        .extracting(QueryResult::getEntityId)
        .containsExactly("n110", "n111", "n112", "n113", "n114");

    var germanDocs =
        a.query(
            towardZeroDegrees(5)
                .setFilter(
                    QueryFilter.newBuilder().addEntityTypes("doc").putChunkMetadata("lang", "de"))
                .build());
    assertThat(germanDocs.getResultsList())
        .extracting(QueryResult::getEntityId)
        .containsExactly("n110", "n112", "n114", "n116", "n118");
  }

  @Test
  void returnsFewerThanKOnlyWhenFewerMatchAndNeverDeletedEntities() {
    put(at("a", 0, "doc", "en"), at("b", 10, "doc", "en"), at("c", 20, "doc", "en"));
    a.deleteEntity(DeleteEntityRequest.newBuilder().setEntityId("a").build());
    var response = a.query(towardZeroDegrees(0).build()); // k <= 0 -> the original's 10
    assertThat(response.getResultsList())
        .extracting(QueryResult::getEntityId)
        .containsExactly("b", "c");
  }

  @Test
  void requestedWeightsReplaceDefaultsOneByOneAndOmitEntitiesDropsThePayload() {
    put(at("near", 0, "doc", "en"), at("far", 90, "doc", "en"));
    var response =
        a.query(
            towardZeroDegrees(2)
                .setOmitEntities(true)
                .setWeights(ScoreWeights.newBuilder().setGraph(0).setImportance(0).setRecency(0))
                .build());
    assertThat(response.getResults(0).hasEntity()).isFalse();
    assertThat(response.getResults(0).getScore()).isCloseTo(1.0, within(1e-6));
    assertThat(response.getResults(1).getScore()).isCloseTo(0.5, within(1e-6)); // cos 0
  }

  @Test
  void rejectsMissingOrMisshapenQueryVectorsAndNegativeKnobs() {
    assertStatus(
        () -> a.query(QueryRequest.newBuilder().setK(3).build()),
        Status.Code.INVALID_ARGUMENT,
        "query_vector or query_text is required");
    assertStatus(
        () -> a.query(QueryRequest.newBuilder().addQueryVector(1).build()),
        Status.Code.INVALID_ARGUMENT,
        "query_vector has dimension 1; this node expects 2");
    assertStatus(
        () -> a.query(towardZeroDegrees(3).setMaxHops(-1).build()),
        Status.Code.INVALID_ARGUMENT,
        "max_hops must be >= 0");
    assertStatus(
        () ->
            a.query(
                towardZeroDegrees(3).setWeights(ScoreWeights.newBuilder().setVector(-1)).build()),
        Status.Code.INVALID_ARGUMENT,
        "weights.vector must be a finite number >= 0");
    assertStatus(
        () -> a.query(towardZeroDegrees(5000).build()),
        Status.Code.INVALID_ARGUMENT,
        "k must be at most 1000");
  }
}
