package io.allidb.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.allidb.api.proto.ConsistencyLevel;
import io.allidb.api.proto.Entity;
import io.allidb.api.proto.GraphEdge;
import io.allidb.api.proto.QueryResult;
import io.allidb.api.proto.TextChunk;
import io.allidb.api.proto.TraversalDirection;
import io.allidb.api.proto.VectorEmbedding;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every {@link AlliClient} operation against one real node on loopback. */
class AlliClientTest {
  @TempDir Path dir;
  private RealNode node;
  private AlliClient client;

  @BeforeEach
  void start() throws Exception {
    node = new RealNode(dir.resolve("node")).start();
    client =
        AlliClient.builder()
            .target(node.address())
            .plaintext()
            .apiKey(RealNode.KEY)
            .deadline(Duration.ofSeconds(30))
            .build();
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    node.close();
  }

  static Entity entity(String id, String type, float x, float y) {
    return Entity.newBuilder()
        .setEntityId(id)
        .setEntityType(type)
        .addEmbeddings(VectorEmbedding.newBuilder().addVector(x).addVector(y))
        .addChunks(
            TextChunk.newBuilder()
                .setChunkId(id + "-c")
                .setText("text of " + id)
                .putMetadata("lang", "en"))
        .build();
  }

  @Test
  void putGetDeleteRoundTrip() {
    assertThat(client.put(entity("e1", "doc", 1, 0))).isEqualTo("e1");
    Entity read = client.get("e1").orElseThrow();
    assertThat(read.getEntityType()).isEqualTo("doc");
    assertThat(read.getTenantId()).as("the key decides the tenant").isEqualTo(RealNode.TENANT);
    assertThat(read.getChunks(0).getMetadataMap()).containsEntry("lang", "en");

    client.delete("e1");
    assertThat(client.get("e1")).isEmpty();
    client.delete("e1"); // idempotent on the server: deleting an absent entity succeeds
    assertThat(client.get("never-written")).isEmpty();
    assertThat(client.health().getHealthy()).isTrue();
  }

  @Test
  void consistencyLevelsAreSentAndAcceptedByASingleNode() {
    AlliClient all = client.withConsistency(ConsistencyLevel.CONSISTENCY_ALL);
    all.put(entity("e1", "doc", 1, 0));
    assertThat(all.get("e1")).isPresent();
    assertThat(all.scan().stream().map(Entity::getEntityId)).containsExactly("e1");
    all.close(); // a view: the shared channel stays open
    assertThat(client.get("e1")).isPresent();
  }

  @Test
  void queryBuilderSendsFiltersHopsRelationsDirectionAndWeights() {
    // a -> b (cites) -> c (cites); d is a different type near the query; e is reached by "likes"
    client.putBatch(
        List.of(
            entity("a", "paper", 1, 0).toBuilder()
                .addOutgoingEdges(edge("a", "b", "cites"))
                .build(),
            entity("b", "paper", 0, 1).toBuilder()
                .addOutgoingEdges(edge("b", "c", "cites"))
                .build(),
            entity("c", "person", -1, 0),
            entity("d", "person", 0.9f, 0.1f),
            entity("e", "person", 0, -1)));
    client.put(
        entity("a", "paper", 1, 0).toBuilder()
            .addOutgoingEdges(edge("a", "b", "cites"))
            .addOutgoingEdges(edge("a", "e", "likes"))
            .build());

    List<QueryResult> plain = client.query().vector(1, 0).k(1).execute();
    assertThat(plain).extracting(QueryResult::getEntityId).containsExactly("a");
    assertThat(plain.get(0).getBreakdown().getHops()).isZero();
    assertThat(plain.get(0).getEntity().getEntityId()).isEqualTo("a");

    // only persons, reached from the one seed "a" over "cites" edges, outgoing, two hops; with
    // k = 1 the graph-reached "c" wins (graph weight only), the filtered ANN fallback adds nothing
    List<QueryResult> graph =
        client
            .query()
            .vector(1, 0)
            .k(1)
            .expandFactor(1)
            .entityTypes("person")
            .hops(2)
            .relations("cites")
            .direction(TraversalDirection.TRAVERSAL_DIRECTION_OUTGOING)
            .weights(0, 1, 0, 0)
            .idsAndScoresOnly()
            .execute();
    assertThat(graph).extracting(QueryResult::getEntityId).containsExactly("c");
    QueryResult c = graph.get(0);
    assertThat(c.getBreakdown().getHops()).isEqualTo(2);
    assertThat(c.getBreakdown().getSeedEntityId()).isEqualTo("a");
    // "likes" reaches e in one hop; incoming edges from a lead nowhere
    assertThat(
            client
                .query()
                .vector(1, 0)
                .k(1)
                .expandFactor(1)
                .entityTypes("person")
                .hops(1)
                .relations("likes")
                .weights(0, 1, 0, 0)
                .execute())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getEntityId()).isEqualTo("e");
              assertThat(r.getBreakdown().getHops()).isEqualTo(1);
            });
    assertThat(
            client
                .query()
                .vector(1, 0)
                .k(10)
                .expandFactor(1)
                .entityTypes("person")
                .hops(2)
                .direction(TraversalDirection.TRAVERSAL_DIRECTION_INCOMING)
                .execute())
        .allSatisfy(
            r -> assertThat(r.getBreakdown().getHops()).as("no incoming path from a").isZero());
    assertThat(c.hasEntity()).as("idsAndScoresOnly").isFalse();

    assertThat(client.query().vector(1, 0).k(10).chunkMetadata("lang", "fr").execute()).isEmpty();
    assertThat(client.query().vector(1, 0).k(10).chunkMetadata("lang", "en").execute()).hasSize(5);
  }

  private static GraphEdge edge(String from, String to, String relation) {
    return GraphEdge.newBuilder()
        .setFromEntity(from)
        .setToEntity(to)
        .setRelation(relation)
        .setWeight(1.0)
        .build();
  }

  @Test
  void oneClientServesManyThreadsOverItsOneChannel() throws Exception {
    var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      var futures = new ArrayList<java.util.concurrent.Future<?>>();
      for (int t = 0; t < 8; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 25; i++) {
                    String id = "t" + thread + "-" + i;
                    client.put(entity(id, "doc", thread + 1, i));
                    assertThat(client.get(id)).isPresent();
                  }
                }));
      }
      for (var f : futures) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(client.scan().pageSize(1000).stream().count()).isEqualTo(200);
  }

  @Test
  void badRequestsGiveTypedErrorsWithTheServersMessage() {
    client.put(entity("e1", "doc", 1, 0));
    // the tenant's vectors are 2-d now
    assertThatThrownBy(() -> client.query().vector(1, 0, 0).execute())
        .isInstanceOfSatisfying(
            InvalidArgumentException.class,
            e -> {
              assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.serverMessage()).contains("dimension");
            });
    assertThatThrownBy(() -> client.query().k(3).execute())
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("vector(...) or text(...)");
    assertThatThrownBy(() -> client.put(Entity.newBuilder().setEntityType("x").build()))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("entity_id is required");
    assertThatThrownBy(
            () ->
                client.put(entity("x", "t", 1, 0).toBuilder().setTenantId("someone-else").build()))
        .isInstanceOfSatisfying(
            PermissionDeniedException.class,
            e -> assertThat(e.serverMessage()).isEqualTo("tenant ID mismatch"));
  }

  @Test
  void wrongKeysGiveAuthenticationOrPermissionErrors() {
    try (var wrong =
            AlliClient.builder()
                .target(node.address())
                .plaintext()
                .apiKey("app-1.not-the-secret-at-all-but-long-enough-xxxxxx")
                .build();
        var reader =
            AlliClient.builder()
                .target(node.address())
                .plaintext()
                .apiKey(RealNode.READ_KEY)
                .build();
        var other =
            AlliClient.builder()
                .target(node.address())
                .plaintext()
                .apiKey(RealNode.OTHER_TENANT_KEY)
                .build()) {
      assertThatThrownBy(() -> wrong.get("e1"))
          .isInstanceOfSatisfying(
              AuthenticationException.class,
              e -> {
                assertThat(e.code()).isEqualTo(Status.Code.UNAUTHENTICATED);
                assertThat(e.serverMessage()).isEqualTo("invalid API key");
                assertThat(e.getMessage()).doesNotContain("not-the-secret");
              });
      assertThatThrownBy(() -> wrong.put(entity("e1", "t", 1, 0)))
          .isInstanceOf(AuthenticationException.class);
      client.put(entity("e1", "doc", 1, 0));
      assertThat(reader.get("e1")).isPresent();
      assertThatThrownBy(() -> reader.delete("e1"))
          .isInstanceOfSatisfying(
              PermissionDeniedException.class,
              e -> assertThat(e.serverMessage()).contains("lacks scope write"));
      // tenants never see each other's entities
      assertThat(other.get("e1")).isEmpty();
      assertThat(other.scan().stream()).isEmpty();
    }
  }

  @Test
  void putBatchIsChunkedBelowTheRequestLimitAndRefusesAnOversizedEntity() {
    // ~2.1 KB per entity, a 64 KiB limit: 300 entities need at least 10 calls
    var entities = new ArrayList<Entity>();
    for (int i = 0; i < 300; i++) {
      entities.add(
          entity(String.format("b%03d", i), "doc", 1, i).toBuilder()
              .addChunks(TextChunk.newBuilder().setText("x".repeat(2000)))
              .build());
    }
    var chunks = BatchChunker.chunk(entities, 64 << 10, 1000);
    assertThat(chunks).hasSizeGreaterThanOrEqualTo(10);
    assertThat(chunks)
        .allSatisfy(
            c ->
                assertThat(c.stream().mapToInt(Entity::getSerializedSize).sum())
                    .isLessThan(64 << 10));

    try (var small =
        AlliClient.builder()
            .target(node.address())
            .plaintext()
            .apiKey(RealNode.KEY)
            .maxRequestBytes(64 << 10)
            .build()) {
      BatchResult result = small.putBatch(entities);
      assertThat(result.successCount()).isEqualTo(300);
      assertThat(result.failureCount()).isZero();
      assertThat(client.scan().pageSize(1000).stream().count()).isEqualTo(300);

      var huge =
          entity("huge", "doc", 1, 0).toBuilder()
              .addChunks(TextChunk.newBuilder().setText("y".repeat(70_000)))
              .build();
      assertThatThrownBy(() -> small.putBatch(List.of(entity("ok", "doc", 1, 1), huge)))
          .isInstanceOf(InvalidArgumentException.class)
          .hasMessageContaining("entity huge at index 1")
          .hasMessageContaining("nothing was sent");
      assertThat(client.get("ok")).as("nothing was sent").isEmpty();
    }
    // per-entity refusals are counted, the rest written
    BatchResult mixed =
        client.putBatch(
            List.of(entity("m1", "doc", 1, 0), Entity.newBuilder().setEntityType("x").build()));
    assertThat(mixed.entityIds()).containsExactly("m1");
    assertThat(mixed.failureCount()).isEqualTo(1);
    assertThat(mixed.errors()).singleElement().asString().contains("entity_id is required");
  }

  @Test
  void scanFollowsPageTokensLazilyAndSeesAConcurrentWriteAheadOfIt() {
    var entities = new ArrayList<Entity>();
    for (int i = 0; i < 250; i++) {
      entities.add(entity(String.format("s%03d", i), "doc", 1, i));
    }
    client.putBatch(entities);

    Iterator<Entity> it = client.scan().pageSize(40).iterator();
    var seen = new ArrayList<String>();
    for (int i = 0; i < 60; i++) {
      seen.add(it.next().getEntityId()); // two pages fetched
    }
    // written while the scan is between pages: one ahead of its position, one behind
    client.put(entity("s200x", "doc", 1, 0));
    client.put(entity("s000x", "doc", 1, 0));
    client.delete("s249");
    it.forEachRemaining(e -> seen.add(e.getEntityId()));

    assertThat(seen).hasSize(250).contains("s200x").doesNotContain("s000x", "s249");
    assertThat(seen).isSorted().doesNotHaveDuplicates();

    assertThat(client.scan().from("s100").to("s110").pageSize(3).stream().map(Entity::getEntityId))
        .containsExactly(
            "s100", "s101", "s102", "s103", "s104", "s105", "s106", "s107", "s108", "s109");
    assertThat(client.scan().pageSize(7).stream().limit(15).count()).isEqualTo(15);
  }

  @Test
  void anIdempotentCallRidesOutANodeRestartAndAWriteIsNeverRepeated() throws Exception {
    client.put(entity("e1", "doc", 1, 0));
    node.stop();

    // a write fails fast while no node is reachable: it is sent at most once, never retried
    assertThatThrownBy(
            () -> client.withDeadline(Duration.ofSeconds(20)).put(entity("e2", "doc", 1, 0)))
        .isInstanceOf(UnavailableException.class);

    // a read started while the node is down waits (and retries) within its deadline
    CompletableFuture<Entity> read =
        CompletableFuture.supplyAsync(() -> client.get("e1").orElseThrow());
    CompletableFuture<List<QueryResult>> query =
        CompletableFuture.supplyAsync(() -> client.query().vector(1, 0).k(1).execute());
    node.start();
    assertThat(read.get(60, TimeUnit.SECONDS).getEntityId()).isEqualTo("e1");
    assertThat(query.get(60, TimeUnit.SECONDS))
        .extracting(QueryResult::getEntityId)
        .containsExactly("e1");
    assertThat(client.get("e2")).as("the failed write was not repeated behind our back").isEmpty();
  }

  @Test
  void aWriteIsRetriedOnlyWhenTheApplicationOptsIn() throws Exception {
    try (var retrying =
        AlliClient.builder()
            .target(node.address())
            .plaintext()
            .apiKey(RealNode.KEY)
            .retryWrites(true)
            .deadline(Duration.ofSeconds(60))
            .build()) {
      retrying.put(entity("e0", "doc", 1, 0)); // connected
      node.stop();
      CompletableFuture<String> put =
          CompletableFuture.supplyAsync(() -> retrying.put(entity("e1", "doc", 1, 0)));
      node.start();
      assertThat(put.get(60, TimeUnit.SECONDS)).isEqualTo("e1");
      assertThat(client.get("e1")).isPresent();
    }
  }

  @Test
  void builderRefusesIncompleteOrBadSettingsWithReasons() {
    assertThatThrownBy(() -> AlliClient.builder().plaintext().build())
        .hasMessageContaining("target(...) or nodes(...)");
    assertThatThrownBy(() -> AlliClient.builder().target(node.address()).build())
        .hasMessageContaining("choose transport security");
    assertThatThrownBy(() -> AlliClient.builder().nodes("localhost"))
        .hasMessageContaining("'localhost' must be host:port");
    assertThatThrownBy(() -> AlliClient.builder().apiKey("no-dot"))
        .hasMessageContaining("<key-id>.<secret>");
    assertThatThrownBy(
            () ->
                AlliClient.builder().trustBundle(dir.resolve("missing.pem")).target("h:1").build())
        .hasMessageContaining("missing.pem");
    assertThat(new ApiKeyCredentials(RealNode.KEY).toString()).doesNotContain("0123456789");
  }
}
