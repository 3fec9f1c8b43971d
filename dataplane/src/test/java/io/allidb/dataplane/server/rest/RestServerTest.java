package io.allidb.dataplane.server.rest;

import static io.allidb.dataplane.server.TestNode.KEY_A;
import static io.allidb.dataplane.server.TestNode.KEY_B;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.allidb.dataplane.server.TestNode;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The REST mirror over a real socket: routes, status mapping, limits and auth. */
class RestServerTest {
  private static final int MAX_BODY = 64 * 1024;
  private static final String ENTITY_A =
      """
      {"entity": {"entity_id": "e1", "entity_type": "paper", "importance": 0.5,
        "embeddings": [{"vector": [1, 0, 0]}],
        "chunks": [{"chunk_id": "c1", "text": "Dynamo", "metadata": {"lang": "en"}}],
        "outgoing_edges": [{"from_entity": "e1", "to_entity": "e2", "relation": "cites",
          "weight": 0.7}]},
       "consistency_level": "one", "trace_id": "t1"}
      """;

  @TempDir Path dir;
  private TestNode node;
  private HttpClient http;
  private String base;

  @BeforeEach
  void start() throws Exception {
    node = TestNode.overTcp(dir, b -> b.httpPort(0).maxInboundMessageBytes(MAX_BODY));
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    base = "http://127.0.0.1:" + node.server.httpPort();
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
  }

  private HttpResponse<String> send(String method, String path, String body, String key)
      throws Exception {
    var b =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(30))
            .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
    if (key != null) {
      b.header("X-AlliDB-Api-Key", key);
    }
    return http.send(b.build(), BodyHandlers.ofString());
  }

  private static JsonObject json(HttpResponse<String> r) {
    return JsonParser.parseString(r.body()).getAsJsonObject();
  }

  @Test
  void putThenGetReturnsTheEntityWithProtoFieldNames() throws Exception {
    var put = send("POST", "/entity", ENTITY_A, KEY_A);
    assertThat(put.statusCode()).isEqualTo(200);
    assertThat(json(put).get("success").getAsBoolean()).isTrue();
    assertThat(json(put).get("entity_id").getAsString()).isEqualTo("e1");

    var get = send("GET", "/entity/e1", null, KEY_A);
    assertThat(get.statusCode()).isEqualTo(200);
    var entity = json(get).getAsJsonObject("entity");
    assertThat(entity.get("entity_type").getAsString()).isEqualTo("paper");
    assertThat(entity.get("tenant_id").getAsString()).isEqualTo("tenant-a");
    assertThat(
            entity
                .getAsJsonArray("outgoing_edges")
                .get(0)
                .getAsJsonObject()
                .get("relation")
                .getAsString())
        .isEqualTo("cites");
    assertThat(get.headers().firstValue("content-type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
  }

  @Test
  void deleteRemovesTheEntityAndAMissingEntityIs404() throws Exception {
    send("POST", "/entity", ENTITY_A, KEY_A);
    assertThat(send("DELETE", "/entity/e1", null, KEY_A).statusCode()).isEqualTo(200);
    var get = send("GET", "/entity/e1", null, KEY_A);
    assertThat(get.statusCode()).isEqualTo(404);
    assertThat(json(get).get("code").getAsString()).isEqualTo("NotFound");
    assertThat(json(get).get("error").getAsString()).contains("e1");
  }

  @Test
  void batchAnswers200WhenAllSucceedAnd206WhenSomeFail() throws Exception {
    var ok =
        send(
            "POST",
            "/entities/batch",
            "{\"entities\": [{\"entity_id\": \"a\"}, {\"entity_id\": \"b\"}]}",
            KEY_A);
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(json(ok).get("success_count").getAsInt()).isEqualTo(2);

    var partial =
        send(
            "POST",
            "/entities/batch",
            "{\"entities\": [{\"entity_id\": \"c\"}, {\"entity_id\": \"d\", \"tenant_id\": \"x\"}]}",
            KEY_A);
    assertThat(partial.statusCode()).isEqualTo(206);
    assertThat(json(partial).get("failure_count").getAsInt()).isEqualTo(1);
    assertThat(json(partial).get("error_message").getAsString()).contains("tenant ID mismatch");
  }

  @Test
  void queryReturnsScoredResultsWithBreakdown() throws Exception {
    send("POST", "/entity", ENTITY_A, KEY_A);
    send(
        "POST",
        "/entity",
        "{\"entity\": {\"entity_id\": \"e2\", \"embeddings\": [{\"vector\": [0, 1, 0]}]}}",
        KEY_A);
    var q =
        send(
            "POST",
            "/query",
            "{\"query_vector\": [1, 0, 0], \"k\": 1, \"trace_id\": \"q1\", \"consistency_level\": \"ALL\"}",
            KEY_A);
    assertThat(q.statusCode()).isEqualTo(200);
    var body = json(q);
    assertThat(body.get("trace_id").getAsString()).isEqualTo("q1");
    var first = body.getAsJsonArray("results").get(0).getAsJsonObject();
    assertThat(first.get("entity_id").getAsString()).isEqualTo("e1");
    assertThat(first.has("breakdown")).isTrue();
  }

  @Test
  void scanPagesThroughTheTenantsEntities() throws Exception {
    send(
        "POST",
        "/entities/batch",
        "{\"entities\": [{\"entity_id\": \"a\"}, {\"entity_id\": \"b\"}, {\"entity_id\": \"c\"}]}",
        KEY_A);
    var first = send("POST", "/scan", "{\"limit\": 2}", KEY_A);
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(json(first).getAsJsonArray("entities")).hasSize(2);
    String token = json(first).get("next_page_token").getAsString();
    var second = send("POST", "/scan", "{\"limit\": 2, \"page_token\": \"" + token + "\"}", KEY_A);
    assertThat(json(second).getAsJsonArray("entities")).hasSize(1);
  }

  @Test
  void tenantsCannotSeeEachOthersEntities() throws Exception {
    send("POST", "/entity", ENTITY_A, KEY_A);
    assertThat(send("GET", "/entity/e1", null, KEY_B).statusCode()).isEqualTo(404);
    var scan = send("POST", "/scan", "{}", KEY_B);
    assertThat(json(scan).has("entities")).isFalse();
    var cross = send("POST", "/scan", "{\"tenant_id\": \"tenant-a\"}", KEY_B);
    assertThat(cross.statusCode()).isEqualTo(403);
    assertThat(json(cross).get("code").getAsString()).isEqualTo("PermissionDenied");
  }

  @Test
  void missingOrInvalidKeysAre401() throws Exception {
    var missing = send("GET", "/entity/e1", null, null);
    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(json(missing).get("error").getAsString()).isEqualTo("missing API key");
    assertThat(json(missing).get("code").getAsString()).isEqualTo("Unauthenticated");
    var invalid = send("POST", "/entity", ENTITY_A, "key-a.wrongwrongwrongwrongwrongwrong00");
    assertThat(invalid.statusCode()).isEqualTo(401);
    assertThat(json(invalid).get("error").getAsString()).isEqualTo("invalid API key");
  }

  @Test
  void probesAndMetricsNeedNoKey() throws Exception {
    var health = send("GET", "/health", null, null);
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(json(health).get("status").getAsString()).isEqualTo("healthy");
    assertThat(send("GET", "/livez", null, null).statusCode()).isEqualTo(200);
    assertThat(send("GET", "/readyz", null, null).statusCode()).isEqualTo(200);
    var metrics = send("GET", "/metrics", null, null);
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("content-type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
    assertThat(metrics.body()).contains("# TYPE");
  }

  @Test
  void readinessAndApiRoutesAre503UntilTheServiceIsAttached() throws Exception {
    // the state while storage replays its WAL: listening, alive, not ready
    var starting =
        new RestServer(
                "127.0.0.1",
                0,
                MAX_BODY,
                Duration.ofSeconds(1),
                () -> false,
                new PrometheusRegistry())
            .start();
    try {
      base = "http://127.0.0.1:" + starting.port();
      assertThat(send("GET", "/readyz", null, null).statusCode()).isEqualTo(503);
      assertThat(send("GET", "/livez", null, null).statusCode()).isEqualTo(200);
      var health = send("GET", "/health", null, null);
      assertThat(health.statusCode()).isEqualTo(503);
      assertThat(json(health).get("code").getAsString()).isEqualTo("Unavailable");
    } finally {
      starting.close();
    }
  }

  @Test
  void unknownFieldsAre400NamingTheField() throws Exception {
    var r =
        send("POST", "/entity", "{\"entity\": {\"entity_id\": \"x\", \"bogus_field\": 1}}", KEY_A);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).get("error").getAsString()).contains("bogus_field");
    assertThat(json(r).get("code").getAsString()).isEqualTo("InvalidArgument");
  }

  @Test
  void malformedJsonIs400SayingWhatWasWrong() throws Exception {
    var r = send("POST", "/query", "{\"query_vector\": [1, 2", KEY_A);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).get("error").getAsString()).startsWith("invalid JSON:");
    var notObject = send("POST", "/query", "[1]", KEY_A);
    assertThat(json(notObject).get("error").getAsString()).contains("JSON object");
  }

  @Test
  void serviceValidationErrorsAre400WithTheServiceMessage() throws Exception {
    var r = send("POST", "/query", "{\"k\": 3}", KEY_A);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).get("error").getAsString())
        .isEqualTo("query_vector or query_text is required");
    var noEntity = send("POST", "/entity", "{}", KEY_A);
    assertThat(json(noEntity).get("error").getAsString()).isEqualTo("entity is required");
  }

  @Test
  void unknownConsistencyLevelIs400() throws Exception {
    var r =
        send("POST", "/query", "{\"query_vector\": [1], \"consistency_level\": \"MOST\"}", KEY_A);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).get("error").getAsString()).contains("ONE, QUORUM or ALL");
  }

  @Test
  void oversizedBodiesAre413WithAJsonError() throws Exception {
    String big = "{\"entity\": {\"entity_id\": \"" + "x".repeat(MAX_BODY) + "\"}}";
    var r = send("POST", "/entity", big, KEY_A);
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(json(r).get("code").getAsString()).isEqualTo("ResourceExhausted");
  }

  @Test
  void wrongMethodIs405AndUnknownPathIs404() throws Exception {
    var wrong = send("GET", "/query", null, KEY_A);
    assertThat(wrong.statusCode()).isEqualTo(405);
    assertThat(wrong.headers().firstValue("allow")).hasValue("POST");
    var unknown = send("GET", "/nope", null, KEY_A);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(json(unknown).get("code").getAsString()).isEqualTo("NotFound");
  }
}
