package io.allidb.dataplane.server;

import static io.allidb.dataplane.server.TestNode.KEY_A;
import static io.allidb.dataplane.server.TestNode.KEY_A_READ;
import static io.allidb.dataplane.server.TestNode.KEY_A_WRITE;
import static io.allidb.dataplane.server.TestNode.KEY_B;
import static io.allidb.dataplane.server.TestNode.TENANT_A;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageOrBuilder;
import io.allidb.api.proto.AlliDBGrpc.AlliDBBlockingStub;
import io.allidb.api.proto.BatchPutEntitiesRequest;
import io.allidb.api.proto.ConsistencyLevel;
import io.allidb.api.proto.DeleteEntityRequest;
import io.allidb.api.proto.Entity;
import io.allidb.api.proto.GetEntityRequest;
import io.allidb.api.proto.GraphEdge;
import io.allidb.api.proto.PutEntityRequest;
import io.allidb.api.proto.QueryFilter;
import io.allidb.api.proto.QueryRequest;
import io.allidb.api.proto.QueryResponse;
import io.allidb.api.proto.RangeScanRequest;
import io.allidb.api.proto.RangeScanResponse;
import io.allidb.api.proto.ReplicaReadRequest;
import io.allidb.api.proto.ReplicaWriteRequest;
import io.allidb.api.proto.TextChunk;
import io.allidb.api.proto.TraversalDirection;
import io.allidb.api.proto.VectorEmbedding;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An adversarial table: tenant B (and tenant A's own narrow keys) attack tenant A over every public
 * RPC and REST route of a real node on real sockets. Each row is one attempt with the exact outcome
 * it must get; no row may see A's data (its marker in content, its ids in results), and after every
 * row A's entities are verified unchanged.
 *
 * <p>A's entities carry {@link #MARKER} in a chunk and type {@code victim-a}. B owns entities whose
 * edges point at A's ids (graph expansion bait) and an entity with the same id as one of A's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrossTenantAdversarialTest {
  static final String MARKER = "A-SECRET-MARKER";
  static final Set<String> A_ONLY = Set.of("a-doc-1", "a-doc-2", "a-hub");
  static final List<String> A_IDS = List.of("a-doc-1", "a-doc-2", "a-doc-3", "a-doc-4", "a-hub");

  private Path dir;
  private TestNode node;
  private AlliDBBlockingStub a;
  private AlliDBBlockingStub b;
  private HttpClient http;
  private String base;
  private String pageTokenOfA;

  /** What an attempt saw: a gRPC code name or "HTTP nnn", the response text, result ids. */
  record Seen(String outcome, String text, List<String> ids) {}

  /** One row: an attempt and the outcome it must get. */
  record Attempt(String name, String expected, Callable<Seen> call) {
    @Override
    public String toString() {
      return name;
    }
  }

  @BeforeAll
  void start() throws Exception {
    dir = Files.createTempDirectory("allidb-adversarial-");
    node = TestNode.overTcp(dir, c -> c.httpPort(0));
    a = node.stub(KEY_A);
    b = node.stub(KEY_B);
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    base = "http://127.0.0.1:" + node.server.httpPort();
    for (String id : A_IDS) {
      a.putEntity(put(victim(id)));
    }
    a.putEntity(put(victim("shared-id")));
    a.putEntity(
        put(victim("a-doc-1").toBuilder().addOutgoingEdges(edge("a-doc-1", "a-doc-2")).build()));
    b.putEntity(
        put(
            attacker("b-doc-1")
                .addOutgoingEdges(edge("b-doc-1", "a-doc-1"))
                .addOutgoingEdges(edge("b-doc-1", "a-doc-2"))
                .addOutgoingEdges(edge("b-doc-1", "a-hub"))
                .build()));
    b.putEntity(put(attacker("shared-id").addOutgoingEdges(edge("shared-id", "a-hub")).build()));
    b.putEntity(put(attacker("b-doc-2").addIncomingEdges(edge("a-doc-1", "b-doc-2")).build()));
    pageTokenOfA =
        a.rangeScan(RangeScanRequest.newBuilder().setLimit(1).build()).getNextPageToken();
    assertThat(pageTokenOfA).isNotEmpty();
  }

  @AfterAll
  void stop() throws Exception {
    node.close();
  }

  /** After every attempt A still has exactly its own entities, untouched. */
  @AfterEach
  void victimIsIntact() {
    for (String id : A_IDS) {
      Entity e = a.getEntity(GetEntityRequest.newBuilder().setEntityId(id).build()).getEntity();
      assertThat(e.getEntityType()).as(id).isEqualTo("victim-a");
      assertThat(e.getChunks(0).getText()).isEqualTo(MARKER);
      assertThat(e.getIncomingEdgesList()).noneMatch(g -> g.getFromEntity().startsWith("b-"));
    }
    var scan = a.rangeScan(RangeScanRequest.newBuilder().setLimit(100).build());
    assertThat(scan.getEntitiesList()).allMatch(e -> e.getEntityType().equals("victim-a"));
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("attempts")
  void crossTenantAttemptGetsItsStatusAndLeaksNothing(Attempt attempt) throws Exception {
    Seen seen = attempt.call().call();
    assertThat(seen.outcome()).as(attempt.name()).isEqualTo(attempt.expected());
    assertThat(seen.text()).as("leak in " + attempt.name()).doesNotContain(MARKER, "victim-a");
    assertThat(seen.ids())
        .as("leaked ids in " + attempt.name())
        .doesNotContainAnyElementsOf(A_ONLY);
  }

  @org.junit.jupiter.api.Test
  void theTableHasAtLeastFiftyAttempts() {
    assertThat(attempts()).hasSizeGreaterThanOrEqualTo(50);
  }

  List<Arguments> attempts() {
    var rows = new ArrayList<Attempt>();
    // ---- gRPC reads
    for (String id : List.of("a-doc-1", "a-doc-2", "a-hub")) {
      rows.add(grpc("GetEntity of A's " + id, "NOT_FOUND", () -> b.getEntity(get(id))));
    }
    rows.add(
        grpc(
            "GetEntity of the id both own returns B's", "OK", () -> b.getEntity(get("shared-id"))));
    for (var level : List.of(ConsistencyLevel.CONSISTENCY_ONE, ConsistencyLevel.CONSISTENCY_ALL)) {
      rows.add(
          grpc(
              "GetEntity a-doc-1 at " + level,
              "NOT_FOUND",
              () -> b.getEntity(get("a-doc-1").toBuilder().setConsistencyLevel(level).build())));
    }
    for (String injected :
        List.of(
            "tenant-a:a-doc-1",
            "tenant-a/a-doc-1",
            "tenant-a\u0000a-doc-1",
            "../tenant-a/a-doc-1")) {
      rows.add(
          grpc(
              "GetEntity key injection " + injected.replace('\0', '0'),
              "NOT_FOUND",
              () -> b.getEntity(get(injected))));
    }
    // ---- gRPC writes
    rows.add(
        grpc(
            "PutEntity naming tenant A",
            "PERMISSION_DENIED",
            () -> b.putEntity(put(victimShape("a-doc-3").setTenantId(TENANT_A).build()))));
    rows.add(
        grpc(
            "PutEntity over A's id lands in B",
            "OK",
            () -> b.putEntity(put(attacker("a-doc-3").build()))));
    rows.add(
        grpc(
            "PutEntity with edges into A's ids",
            "OK",
            () ->
                b.putEntity(
                    put(
                        attacker("b-doc-9")
                            .addOutgoingEdges(edge("b-doc-9", "a-doc-2"))
                            .addIncomingEdges(edge("a-doc-4", "b-doc-9"))
                            .build()))));
    rows.add(
        grpc(
            "BatchPut naming tenant A counts a failure",
            "OK failures=1",
            () -> batchFailures(List.of(victimShape("a-doc-3").setTenantId(TENANT_A).build()))));
    rows.add(
        grpc(
            "BatchPut mixing own and A-named entities",
            "OK failures=1",
            () ->
                batchFailures(
                    List.of(
                        attacker("b-doc-3").build(),
                        victimShape("a-doc-4").setTenantId(TENANT_A).build()))));
    rows.add(
        grpc(
            "BatchPut with tenant A in a different case",
            "OK failures=1",
            () -> batchFailures(List.of(victimShape("a-doc-3").setTenantId("TENANT-A").build()))));
    rows.add(grpc("DeleteEntity of A's id", "OK", () -> b.deleteEntity(delete("a-doc-4"))));
    rows.add(
        grpc("DeleteEntity of the shared id", "OK", () -> b.deleteEntity(delete("shared-id"))));
    // ---- gRPC queries, graph expansion baited into A's ids
    rows.add(
        grpc(
            "Query near A's vectors",
            "OK",
            () -> b.query(query(0, TraversalDirection.TRAVERSAL_DIRECTION_UNSPECIFIED))));
    for (var dirn : TraversalDirection.values()) {
      if (dirn == TraversalDirection.UNRECOGNIZED) {
        continue;
      }
      for (int hops : new int[] {1, 3}) {
        rows.add(grpc("Query " + hops + " hops " + dirn, "OK", () -> b.query(query(hops, dirn))));
      }
    }
    rows.add(
        grpc(
            "Query filtered to A's entity type",
            "OK",
            () ->
                b.query(
                    query(2, TraversalDirection.TRAVERSAL_DIRECTION_BOTH).toBuilder()
                        .setFilter(QueryFilter.newBuilder().addEntityTypes("victim-a"))
                        .build())));
    rows.add(
        grpc(
            "Query by relation type with wide fan-out",
            "OK",
            () ->
                b.query(
                    query(3, TraversalDirection.TRAVERSAL_DIRECTION_BOTH).toBuilder()
                        .addRelationTypes("links")
                        .setMaxFanoutPerHop(1000)
                        .setK(1000)
                        .setExpandFactor(50)
                        .build())));
    rows.add(
        grpc(
            "Query ids only",
            "OK",
            () ->
                b.query(
                    query(2, TraversalDirection.TRAVERSAL_DIRECTION_BOTH).toBuilder()
                        .setOmitEntities(true)
                        .build())));
    // ---- gRPC scans
    rows.add(
        grpc(
            "RangeScan naming tenant A",
            "PERMISSION_DENIED",
            () -> b.rangeScan(scan().setTenantId(TENANT_A).build())));
    rows.add(
        grpc(
            "RangeScan naming tenant A in upper case",
            "PERMISSION_DENIED",
            () -> b.rangeScan(scan().setTenantId("TENANT-A").build())));
    rows.add(
        grpc(
            "RangeScan naming tenant A with a space",
            "PERMISSION_DENIED",
            () -> b.rangeScan(scan().setTenantId(TENANT_A + " ").build())));
    rows.add(grpc("RangeScan of everything", "OK", () -> b.rangeScan(scan().build())));
    rows.add(
        grpc(
            "RangeScan over A's id range",
            "OK",
            () -> b.rangeScan(scan().setStartKey("a-").setEndKey("a-z").build())));
    rows.add(
        grpc(
            "RangeScan with A's page token",
            "INVALID_ARGUMENT",
            () -> b.rangeScan(scan().setPageToken(pageTokenOfA).build())));
    rows.add(
        grpc(
            "RangeScan with a forged page token",
            "INVALID_ARGUMENT",
            () -> b.rangeScan(scan().setPageToken("dGVuYW50LWE6YS1kb2MtMQ").build())));
    rows.add(
        grpc(
            "RangeScan forwarded to another node",
            "NOT_FOUND",
            () -> b.rangeScan(scan().setNodeId("node-9").build())));
    rows.add(
        grpc(
            "RangeScan at ALL",
            "OK",
            () ->
                b.rangeScan(scan().setConsistencyLevel(ConsistencyLevel.CONSISTENCY_ALL).build())));
    // ---- replica RPCs: never an API key
    for (var entry : List.of(List.of("B", KEY_B), List.of("A's own admin", KEY_A))) {
      AlliDBBlockingStub s = node.stub(entry.get(1));
      rows.add(
          grpc(
              "ReplicaRead with " + entry.get(0) + " key",
              "PERMISSION_DENIED",
              () ->
                  s.replicaRead(
                      ReplicaReadRequest.newBuilder()
                          .setKey("a-doc-1")
                          .setTenantId(TENANT_A)
                          .build())));
      rows.add(
          grpc(
              "ReplicaWrite with " + entry.get(0) + " key",
              "PERMISSION_DENIED",
              () ->
                  s.replicaWrite(
                      ReplicaWriteRequest.newBuilder()
                          .setKey("a-doc-1")
                          .setTenantId(TENANT_A)
                          .setValue(ByteString.copyFromUtf8("x"))
                          .build())));
    }
    rows.add(
        grpc(
            "ReplicaRead without tenant",
            "PERMISSION_DENIED",
            () -> b.replicaRead(ReplicaReadRequest.newBuilder().setKey("a-doc-1").build())));
    // ---- keys and scopes
    rows.add(
        grpc(
            "GetEntity without a key",
            "UNAUTHENTICATED",
            () -> node.stub(null).getEntity(get("a-doc-1"))));
    rows.add(
        grpc(
            "GetEntity with A's id and B's secret",
            "UNAUTHENTICATED",
            () ->
                node.stub("key-a" + KEY_B.substring(KEY_B.indexOf('.')))
                    .getEntity(get("a-doc-1"))));
    rows.add(
        grpc(
            "PutEntity with A's read-only key",
            "PERMISSION_DENIED",
            () -> node.stub(KEY_A_READ).putEntity(put(attacker("a-doc-1").build()))));
    rows.add(
        grpc(
            "DeleteEntity with A's read-only key",
            "PERMISSION_DENIED",
            () -> node.stub(KEY_A_READ).deleteEntity(delete("a-doc-1"))));
    rows.add(
        grpc(
            "GetEntity with A's write-only key",
            "PERMISSION_DENIED",
            () -> node.stub(KEY_A_WRITE).getEntity(get("a-doc-1"))));
    rows.add(
        grpc(
            "Query with A's write-only key",
            "PERMISSION_DENIED",
            () ->
                node.stub(KEY_A_WRITE)
                    .query(query(1, TraversalDirection.TRAVERSAL_DIRECTION_BOTH))));
    rows.add(
        grpc(
            "RangeScan with A's write-only key",
            "PERMISSION_DENIED",
            () -> node.stub(KEY_A_WRITE).rangeScan(scan().build())));
    // ---- REST
    rows.add(rest("GET /entity/a-doc-1", "HTTP 404", "GET", "/entity/a-doc-1", null, KEY_B));
    rows.add(
        rest(
            "GET /entity/a-doc-1 at ALL",
            "HTTP 404",
            "GET",
            "/entity/a-doc-1?consistency_level=ALL",
            null,
            KEY_B));
    rows.add(
        rest(
            "GET /entity/ with an encoded tenant prefix",
            "HTTP 404",
            "GET",
            "/entity/tenant-a%3Aa-doc-1",
            null,
            KEY_B));
    rows.add(
        rest(
            "GET /entity/ with an encoded path",
            "HTTP 404",
            "GET",
            "/entity/..%2Ftenant-a%2Fa-doc-2",
            null,
            KEY_B));
    rows.add(rest("DELETE /entity/a-hub", "HTTP 200", "DELETE", "/entity/a-hub", null, KEY_B));
    rows.add(
        rest(
            "POST /entity naming tenant A",
            "HTTP 403",
            "POST",
            "/entity",
            "{\"entity\":{\"entity_id\":\"a-doc-2\",\"tenant_id\":\"tenant-a\"}}",
            KEY_B));
    rows.add(
        rest(
            "POST /entities/batch naming tenant A",
            "HTTP 206",
            "POST",
            "/entities/batch",
            "{\"entities\":[{\"entity_id\":\"a-doc-2\",\"tenant_id\":\"tenant-a\"}]}",
            KEY_B));
    rows.add(
        rest(
            "POST /query with expansion",
            "HTTP 200",
            "POST",
            "/query",
            "{\"query_vector\":[1,0,0],\"k\":50,\"max_hops\":3,\"direction\":\"TRAVERSAL_DIRECTION_BOTH\"}",
            KEY_B));
    rows.add(
        rest(
            "POST /query filtered to A's type",
            "HTTP 200",
            "POST",
            "/query",
            "{\"query_vector\":[1,0,0],\"filter\":{\"entity_types\":[\"victim-a\"]}}",
            KEY_B));
    rows.add(
        rest(
            "POST /scan naming tenant A",
            "HTTP 403",
            "POST",
            "/scan",
            "{\"tenant_id\":\"tenant-a\"}",
            KEY_B));
    rows.add(
        rest("POST /scan of everything", "HTTP 200", "POST", "/scan", "{\"limit\":1000}", KEY_B));
    rows.add(
        rest(
            "POST /scan with A's page token",
            "HTTP 400",
            "POST",
            "/scan",
            "{\"page_token\":\"" + pageTokenOfA + "\"}",
            KEY_B));
    rows.add(
        rest(
            "GET /entity/a-doc-1 without a key", "HTTP 401", "GET", "/entity/a-doc-1", null, null));
    rows.add(
        rest(
            "GET /entity/a-doc-1 with A's write-only key",
            "HTTP 403",
            "GET",
            "/entity/a-doc-1",
            null,
            KEY_A_WRITE));
    rows.add(
        rest(
            "POST /entity with A's read-only key",
            "HTTP 403",
            "POST",
            "/entity",
            "{\"entity\":{\"entity_id\":\"a-doc-1\"}}",
            KEY_A_READ));
    rows.add(
        rest(
            "GET /health needs no key and names no tenant",
            "HTTP 200",
            "GET",
            "/health",
            null,
            null));
    rows.add(rest("GET /readyz names no tenant", "HTTP 200", "GET", "/readyz", null, null));
    rows.add(rest("GET /metrics names no tenant", "HTTP 200", "GET", "/metrics", null, null));
    return rows.stream().map(Arguments::of).toList();
  }

  // ---- helpers

  private static Attempt grpc(String name, String expected, Callable<Object> call) {
    return new Attempt(
        "gRPC " + name,
        expected,
        () -> {
          Object r;
          try {
            r = call.call();
          } catch (StatusRuntimeException e) {
            String d = e.getStatus().getDescription();
            return new Seen(e.getStatus().getCode().name(), d == null ? "" : d, List.of());
          }
          if (r instanceof Seen s) {
            return s;
          }
          return new Seen("OK", r.toString(), ids((MessageOrBuilder) r));
        });
  }

  private Attempt rest(
      String name, String expected, String method, String path, String body, String key) {
    return new Attempt(
        "REST " + name,
        expected,
        () -> {
          var req =
              HttpRequest.newBuilder(URI.create(base + path))
                  .timeout(Duration.ofSeconds(30))
                  .method(
                      method,
                      body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
          if (key != null) {
            req.header("x-allidb-api-key", key);
          }
          var r = http.send(req.build(), BodyHandlers.ofString());
          String text = r.body();
          var ids = new ArrayList<String>();
          if (key == null && r.statusCode() == 200) {
            // probes: nothing tenant-specific at all
            assertThat(text).doesNotContain(TENANT_A, TestNode.TENANT_B, "entity");
          }
          if (path.equals("/query") || path.equals("/scan")) {
            var m = java.util.regex.Pattern.compile("\"entity_id\":\\s*\"([^\"]+)\"").matcher(text);
            while (m.find()) {
              ids.add(m.group(1));
            }
          }
          return new Seen("HTTP " + r.statusCode(), text, ids);
        });
  }

  private Seen batchFailures(List<Entity> entities) {
    var r =
        b.batchPutEntities(BatchPutEntitiesRequest.newBuilder().addAllEntities(entities).build());
    return new Seen("OK failures=" + r.getFailureCount(), r.toString(), r.getEntityIdsList());
  }

  private static List<String> ids(MessageOrBuilder r) {
    if (r instanceof QueryResponse q) {
      var out = new ArrayList<String>();
      q.getResultsList().forEach(x -> out.add(x.getEntityId()));
      q.getResultsList().forEach(x -> x.getBreakdown().getSeedEntityId().lines().forEach(out::add));
      return out;
    }
    if (r instanceof RangeScanResponse s) {
      return s.getEntitiesList().stream().map(Entity::getEntityId).toList();
    }
    return List.of();
  }

  private static Entity victim(String id) {
    return victimShape(id).build();
  }

  private static Entity.Builder victimShape(String id) {
    return Entity.newBuilder()
        .setEntityId(id)
        .setEntityType("victim-a")
        .addEmbeddings(VectorEmbedding.newBuilder().addVector(1).addVector(0).addVector(0))
        .addChunks(TextChunk.newBuilder().setChunkId("c").setText(MARKER));
  }

  private static Entity.Builder attacker(String id) {
    return Entity.newBuilder()
        .setEntityId(id)
        .setEntityType("attacker-b")
        .addEmbeddings(VectorEmbedding.newBuilder().addVector(1).addVector(0.01f).addVector(0))
        .addChunks(TextChunk.newBuilder().setChunkId("c").setText("b content"));
  }

  private static GraphEdge edge(String from, String to) {
    return GraphEdge.newBuilder()
        .setFromEntity(from)
        .setToEntity(to)
        .setRelation("links")
        .setWeight(1)
        .build();
  }

  private static PutEntityRequest put(Entity e) {
    return PutEntityRequest.newBuilder().setEntity(e).build();
  }

  private static GetEntityRequest get(String id) {
    return GetEntityRequest.newBuilder().setEntityId(id).build();
  }

  private static DeleteEntityRequest delete(String id) {
    return DeleteEntityRequest.newBuilder().setEntityId(id).build();
  }

  private static RangeScanRequest.Builder scan() {
    return RangeScanRequest.newBuilder().setLimit(1000);
  }

  private static QueryRequest query(int hops, TraversalDirection direction) {
    return QueryRequest.newBuilder()
        .addQueryVector(1)
        .addQueryVector(0)
        .addQueryVector(0)
        .setK(50)
        .setMaxHops(hops)
        .setDirection(direction)
        .build();
  }
}
