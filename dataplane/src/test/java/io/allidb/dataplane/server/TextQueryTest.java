package io.allidb.dataplane.server;

import static io.allidb.dataplane.server.TestNode.KEY_A;
import static io.allidb.dataplane.server.TestNode.KEY_B;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.allidb.api.proto.BatchPutEntitiesRequest;
import io.allidb.api.proto.Entity;
import io.allidb.api.proto.GetEntityRequest;
import io.allidb.api.proto.HybridMode;
import io.allidb.api.proto.PutEntityRequest;
import io.allidb.api.proto.QueryRequest;
import io.allidb.api.proto.QueryResponse;
import io.allidb.api.proto.QueryResult;
import io.allidb.api.proto.TextChunk;
import io.allidb.api.proto.VectorEmbedding;
import io.allidb.dataplane.ai.AiOptions;
import io.allidb.dataplane.ai.AiOptions.EmbedOnWrite;
import io.allidb.dataplane.ai.AiOptions.EmbeddingOptions;
import io.allidb.dataplane.ai.AiOptions.LlmOptions;
import io.allidb.dataplane.ai.LocalEmbedder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * query_text, embed on write and hybrid retrieval end to end: a real node on TCP with the local
 * MiniLM model, called over gRPC and over the REST mirror.
 */
class TextQueryTest {
  static final AiOptions SYNC =
      new AiOptions(EmbeddingOptions.local(EmbedOnWrite.SYNC), LlmOptions.none());

  /** A small corpus with known answers; one chunk carries an identifier no sentence explains. */
  static final List<String[]> CORPUS =
      List.of(
          new String[] {"wal", "The write-ahead log is fsynced before a write is acknowledged."},
          new String[] {"checksum", "Every SSTable block carries a CRC32C checksum."},
          new String[] {"corrupt", "A corrupt block is reported and never returned to a client."},
          new String[] {"errcode", "Invoice QX-7731 for the windowsill repair was paid in March."},
          new String[] {"codes", "Operators see error codes such as QX-1000 in the node log."},
          new String[] {"gossip", "Nodes exchange membership through gossip every second."},
          new String[] {"cat", "The cat sat on the warm windowsill all afternoon."});

  @TempDir Path dir;
  private TestNode node;

  @BeforeEach
  void start() throws Exception {
    node = TestNode.overTcp(dir, b -> b.httpPort(0).ai(SYNC));
    var batch = BatchPutEntitiesRequest.newBuilder();
    for (String[] d : CORPUS) {
      batch.addEntities(
          Entity.newBuilder()
              .setEntityId(d[0])
              .setEntityType("note")
              .addChunks(TextChunk.newBuilder().setChunkId(d[0] + "#0").setText(d[1])));
    }
    assertThat(node.stub(KEY_A).batchPutEntities(batch.build()).getSuccessCount()).isEqualTo(7);
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
  }

  private QueryResponse query(String text, HybridMode mode, int k) {
    return node.stub(KEY_A)
        .query(QueryRequest.newBuilder().setQueryText(text).setHybridMode(mode).setK(k).build());
  }

  private static List<String> ids(QueryResponse r) {
    return r.getResultsList().stream().map(QueryResult::getEntityId).toList();
  }

  @Test
  void entitiesWithTextAndNoEmbeddingAreEmbeddedOnWrite() {
    Entity e =
        node.stub(KEY_A)
            .getEntity(GetEntityRequest.newBuilder().setEntityId("cat").build())
            .getEntity();
    assertThat(e.getEmbeddingsCount()).isEqualTo(1);
    assertThat(e.getEmbeddings(0).getVectorCount()).isEqualTo(LocalEmbedder.DIMENSION);
    assertThat(e.getEmbeddings(0).getTimestampNanos()).isPositive();
  }

  @Test
  void queuedEmbedOnWriteAddsTheVectorAfterTheWrite() throws Exception {
    node.close();
    var queued = new AiOptions(EmbeddingOptions.local(EmbedOnWrite.QUEUE), LlmOptions.none());
    node = TestNode.overTcp(dir, b -> b.ai(queued));
    node.stub(KEY_B)
        .putEntity(
            PutEntityRequest.newBuilder()
                .setEntity(
                    Entity.newBuilder()
                        .setEntityId("later")
                        .addChunks(TextChunk.newBuilder().setText("embedded in the background")))
                .build());
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        node.stub(KEY_B)
                            .getEntity(GetEntityRequest.newBuilder().setEntityId("later").build())
                            .getEntity()
                            .getEmbeddingsCount())
                    .isEqualTo(1));
  }

  @Test
  void queryTextIsEmbeddedAndRanksRelatedTextFirst() {
    QueryResponse r =
        query("a kitten resting by the window", HybridMode.HYBRID_MODE_VECTOR_ONLY, 3);
    assertThat(ids(r)).first().isEqualTo("cat");
    assertThat(r.getResults(0).getBreakdown().getText()).isZero(); // no BM25 in vector-only mode
  }

  @Test
  void hybridSearchFindsAnExactIdentifierThatVectorSearchMisses() {
    QueryResponse vector = query("QX-7731", HybridMode.HYBRID_MODE_VECTOR_ONLY, 7);
    QueryResponse rrf = query("QX-7731", HybridMode.HYBRID_MODE_RRF, 7);

    QueryResponse weighted = query("QX-7731", HybridMode.HYBRID_MODE_WEIGHTED, 7);

    // MiniLM has no idea what "QX-7731" names: vector search ranks a look-alike first
    assertThat(ids(vector)).as("vector ranks").first().isNotEqualTo("errcode");
    assertThat(ids(weighted)).as("weighted ranks").first().isEqualTo("errcode");
    assertThat(ids(rrf).subList(0, 2)).as("rrf ranks").contains("errcode");
    QueryResult hit = result(rrf, "errcode");
    var b = hit.getBreakdown();
    assertThat(b.getText()).isEqualTo(1.0);
    assertThat(b.getTextRank()).isEqualTo(1);
    assertThat(b.getVector()).isPositive(); // the breakdown keeps the vector component
    // the fused score is the RRF sum: 1/(60 + vector rank) + 1/(60 + text rank 1)
    int vectorRank = ids(vector).indexOf("errcode") + 1;
    assertThat(hit.getScore())
        .isCloseTo(1.0 / (60 + vectorRank) + 1.0 / 61, org.assertj.core.data.Offset.offset(1e-9));
    // the unspecified mode with query text is RRF
    assertThat(ids(query("QX-7731", HybridMode.HYBRID_MODE_UNSPECIFIED, 7))).isEqualTo(ids(rrf));
  }

  private static QueryResult result(QueryResponse r, String id) {
    return r.getResultsList().stream()
        .filter(x -> x.getEntityId().equals(id))
        .findFirst()
        .orElseThrow(() -> new AssertionError(id + " not in " + ids(r)));
  }

  @Test
  void weightedModeAddsTheTextComponentToTheUnifiedScore() {
    QueryResponse vector = query("CRC32C checksum", HybridMode.HYBRID_MODE_VECTOR_ONLY, 6);
    QueryResponse weighted =
        node.stub(KEY_A)
            .query(
                QueryRequest.newBuilder()
                    .setQueryText("CRC32C checksum")
                    .setHybridMode(HybridMode.HYBRID_MODE_WEIGHTED)
                    .setTextWeight(2.0)
                    .setK(6)
                    .build());
    assertThat(ids(weighted)).first().isEqualTo("checksum");
    QueryResult top = weighted.getResults(0);
    double unified =
        vector.getResultsList().stream()
            .filter(r -> r.getEntityId().equals("checksum"))
            .findFirst()
            .orElseThrow()
            .getScore();
    assertThat(top.getScore())
        .isCloseTo(
            unified + 2.0 * top.getBreakdown().getText(),
            org.assertj.core.data.Offset.offset(1e-6));
  }

  @Test
  void deletesLeaveTheTextIndexAndItIsRebuiltAtOpen() throws Exception {
    node.stub(KEY_A)
        .deleteEntity(
            io.allidb.api.proto.DeleteEntityRequest.newBuilder().setEntityId("wal").build());
    assertThat(ids(query("fsynced write-ahead log", HybridMode.HYBRID_MODE_RRF, 6)))
        .doesNotContain("wal");

    node.close();
    node = TestNode.overTcp(dir, b -> b.httpPort(0).ai(SYNC));
    QueryResponse r = query("QX-7731", HybridMode.HYBRID_MODE_RRF, 2);
    assertThat(result(r, "errcode").getBreakdown().getTextRank()).isEqualTo(1);
    assertThat(ids(r)).doesNotContain("wal");
  }

  @Test
  void aTenantWhoseVectorsHaveAnotherDimensionGetsAClearError() {
    node.stub(KEY_B)
        .putEntity(
            PutEntityRequest.newBuilder()
                .setEntity(
                    Entity.newBuilder()
                        .setEntityId("v")
                        .addEmbeddings(VectorEmbedding.newBuilder().addVector(1).addVector(0)))
                .build());

    assertThatThrownBy(
            () -> node.stub(KEY_B).query(QueryRequest.newBuilder().setQueryText("hi").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT))
        .hasMessageContaining("tenant 'tenant-b' holds 2-dimensional vectors")
        .hasMessageContaining("local/all-MiniLM-L6-v2 makes 384-dimensional");
    assertThatThrownBy(
            () ->
                node.stub(KEY_B)
                    .putEntity(
                        PutEntityRequest.newBuilder()
                            .setEntity(
                                Entity.newBuilder()
                                    .setEntityId("t")
                                    .addChunks(TextChunk.newBuilder().setText("some text")))
                            .build()))
        .hasMessageContaining("cannot be embedded on write");
  }

  @Test
  void hybridModesNeedQueryText() {
    assertThatThrownBy(
            () ->
                node.stub(KEY_A)
                    .query(
                        QueryRequest.newBuilder()
                            .addQueryVector(1)
                            .setHybridMode(HybridMode.HYBRID_MODE_RRF)
                            .build()))
        .hasMessageContaining("needs query_text");
  }

  @Test
  void restQueryTakesQueryTextAndHybridMode() throws Exception {
    var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    var request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.server.httpPort() + "/query"))
            .header("X-AlliDB-Api-Key", KEY_A)
            .timeout(Duration.ofSeconds(30))
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"query_text\": \"QX-7731\", \"hybrid_mode\": \"HYBRID_MODE_RRF\", \"k\": 2,"
                        + " \"omit_entities\": true}"))
            .build();
    var response = http.send(request, HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    var results =
        JsonParser.parseString(response.body()).getAsJsonObject().getAsJsonArray("results");
    assertThat(results).hasSize(2);
    JsonObject hit = null;
    for (var r : results) {
      if (r.getAsJsonObject().get("entity_id").getAsString().equals("errcode")) {
        hit = r.getAsJsonObject();
      }
    }
    assertThat(hit).as(response.body()).isNotNull();
    assertThat(hit.getAsJsonObject("breakdown").get("text_rank").getAsInt()).isEqualTo(1);
  }
}
