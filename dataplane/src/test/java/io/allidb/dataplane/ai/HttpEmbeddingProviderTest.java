package io.allidb.dataplane.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonParser;
import io.allidb.dataplane.ai.FakeAiServer.Reply;
import io.allidb.dataplane.ai.HttpEmbeddingProvider.Credential;
import io.allidb.dataplane.ai.HttpEmbeddingProvider.Wire;
import io.allidb.dataplane.security.SecretSource;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP embedding providers against a real loopback server scripted to misbehave. */
class HttpEmbeddingProviderTest {
  private static final String KEY = "sk-test-0123456789abcdef-SECRET";
  private static final AiHttp.Policy FAST =
      new AiHttp.Policy(Duration.ofMillis(800), 3, Duration.ofMillis(10), Duration.ofSeconds(3));

  private FakeAiServer server;
  private PrometheusRegistry registry;
  private AiMetrics metrics;

  @BeforeEach
  void start() throws Exception {
    server = new FakeAiServer();
    registry = new PrometheusRegistry();
    metrics = new AiMetrics(registry);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpEmbeddingProvider provider(Wire wire, int dim, int batch, Credential credential) {
    URI base = wire == Wire.CUSTOM ? server.base().resolve("/embed") : server.base().resolve("/v1");
    if (wire == Wire.OLLAMA) {
      base = server.base();
    }
    return new HttpEmbeddingProvider(
        wire, base, "test-model", dim, false, batch, credential, FAST, metrics);
  }

  private static Credential key(Map<String, String> env) {
    return new Credential("Authorization", "Bearer ", SecretSource.of(env), "TEST_AI_KEY");
  }

  private static String openAi(float[]... vectors) {
    var sb = new StringBuilder("{\"object\":\"list\",\"data\":[");
    // out of order on purpose: the provider must sort by index
    for (int i = vectors.length - 1; i >= 0; i--) {
      sb.append("{\"index\":").append(i).append(",\"embedding\":").append(json(vectors[i]));
      sb.append(i == 0 ? "}" : "},");
    }
    return sb.append("]}").toString();
  }

  private static String json(float[] v) {
    var sb = new StringBuilder("[");
    for (int i = 0; i < v.length; i++) {
      sb.append(i == 0 ? "" : ",").append(v[i]);
    }
    return sb.append(']').toString();
  }

  @Test
  void openAiWireSendsModelInputAndKeyAndOrdersByIndex() throws Exception {
    server.then(Reply.ok(openAi(new float[] {1, 0}, new float[] {0, 1})));
    var p = provider(Wire.OPENAI, 2, 16, key(Map.of("TEST_AI_KEY", KEY)));

    List<float[]> out = p.embedAll(List.of("alpha", "beta"));

    assertThat(out.get(0)).containsExactly(1, 0);
    assertThat(out.get(1)).containsExactly(0, 1);
    var seen = server.requests.get(0);
    assertThat(seen.path()).isEqualTo("/v1/embeddings");
    var body = JsonParser.parseString(seen.body()).getAsJsonObject();
    assertThat(body.get("model").getAsString()).isEqualTo("test-model");
    assertThat(body.getAsJsonArray("input")).hasSize(2);
    assertThat(seen.headers().get("Authorization")).containsExactly("Bearer " + KEY);
  }

  @Test
  void ollamaWireUsesApiEmbedAndItsAnswerShape() throws Exception {
    server.then(Reply.ok("{\"model\":\"m\",\"embeddings\":[[0.5,0.5,0.0]]}"));
    var p = provider(Wire.OLLAMA, 3, 16, null);

    assertThat(p.embed("hello")).containsExactly(0.5f, 0.5f, 0f);
    assertThat(server.requests.get(0).path()).isEqualTo("/api/embed");
    assertThat(server.requests.get(0).headers()).doesNotContainKey("Authorization");
  }

  @Test
  void customProviderPostsToItsUrlWithItsOwnHeader(@TempDir Path dir) throws Exception {
    Path keyFile = dir.resolve("key");
    Files.writeString(keyFile, "  file-key-42\n");
    server.then(Reply.ok("{\"embeddings\":[[1,2]]}"));
    var credential =
        new Credential(
            "X-Api-Key",
            "",
            SecretSource.of(Map.of("TEST_AI_KEY_FILE", keyFile.toString())),
            "TEST_AI_KEY");
    var p = provider(Wire.CUSTOM, 2, 16, credential);

    assertThat(p.embed("x")).containsExactly(1, 2);
    assertThat(server.requests.get(0).path()).isEqualTo("/embed");
    assertThat(server.requests.get(0).headers().get("X-api-key")).containsExactly("file-key-42");
  }

  @Test
  void batchesAtMostBatchSizeTextsPerCall() throws Exception {
    var p = provider(Wire.OPENAI, 2, 2, null);
    server.then(Reply.ok(openAi(new float[] {1, 0}, new float[] {0, 1})));
    server.then(Reply.ok(openAi(new float[] {1, 1}, new float[] {0, 1})));
    server.then(Reply.ok(openAi(new float[] {0, 0})));

    List<float[]> out = p.embedAll(List.of("a", "b", "c", "d", "e"));

    assertThat(out).hasSize(5);
    assertThat(server.count()).isEqualTo(3);
    assertThat(out.get(2)).containsExactly(1, 1);
  }

  @Test
  void retriesA429AfterItsRetryAfterThenSucceeds() throws Exception {
    server.then(new Reply(429, "{\"error\":\"slow down\"}", Map.of("Retry-After", "1"), 0));
    server.then(Reply.ok(openAi(new float[] {1, 0})));
    var p = provider(Wire.OPENAI, 2, 16, null);

    long start = System.nanoTime();
    assertThat(p.embed("x")).containsExactly(1, 0);
    long waitedMs = (System.nanoTime() - start) / 1_000_000;

    assertThat(server.count()).isEqualTo(2);
    assertThat(waitedMs).as("waited for Retry-After: 1").isGreaterThanOrEqualTo(950);
    assertThat(scrape())
        .contains("allidb_embedding_retries_total{provider=\"openai/test-model\"} 1.0");
  }

  @Test
  void retriesServerErrorsTimeoutsAndMalformedJsonThenSucceeds() throws Exception {
    server.then(Reply.status(500, "{\"error\":\"boom\"}"));
    server.then(new Reply(200, openAi(new float[] {9, 9}), Map.of(), 2_000)); // past the timeout
    server.then(Reply.ok("{\"data\": [ {\"index\": 0, \"embedding\": [1, "));
    server.then(Reply.ok(openAi(new float[] {0, 1})));
    var p = provider(Wire.OPENAI, 2, 16, null);

    assertThat(p.embed("x")).containsExactly(0, 1);
    assertThat(server.count()).isEqualTo(4);
    assertThat(scrape())
        .contains(
            "allidb_embedding_requests_total{outcome=\"error\",provider=\"openai/test-model\"} 3.0")
        .contains(
            "allidb_embedding_requests_total{outcome=\"ok\",provider=\"openai/test-model\"} 1.0");
  }

  @Test
  void givesUpAfterMaxRetriesWithTheLastErrorAndNoKey() {
    server.always(Reply.status(503, "{\"error\":\"overloaded\"}"));
    var p = provider(Wire.OPENAI, 2, 16, key(Map.of("TEST_AI_KEY", KEY)));

    assertThatThrownBy(() -> p.embed("x"))
        .isInstanceOf(AiProviderException.class)
        .hasMessageContaining("HTTP 503")
        .hasMessageContaining("overloaded")
        .hasMessageNotContaining(KEY);
    assertThat(server.count()).isEqualTo(4); // 1 + 3 retries
  }

  @Test
  void doesNotRetryAClientErrorLikeABadKey() {
    server.always(Reply.status(401, "{\"error\":\"invalid api key\"}"));
    var p = provider(Wire.OPENAI, 2, 16, key(Map.of("TEST_AI_KEY", KEY)));

    assertThatThrownBy(() -> p.embed("x")).hasMessageContaining("HTTP 401");
    assertThat(server.count()).isEqualTo(1);
  }

  @Test
  void aDimensionOtherThanConfiguredIsAClearErrorNotRetried() {
    server.always(Reply.ok(openAi(new float[] {1, 0, 0})));
    var p = provider(Wire.OPENAI, 2, 16, null);

    assertThatThrownBy(() -> p.embed("x"))
        .hasMessageContaining("3-dimensional")
        .hasMessageContaining("configured for 2");
    assertThat(server.count()).isEqualTo(1);
  }

  @Test
  void aMissingSecretNamesTheVariablesNotAValue() {
    var p = provider(Wire.OPENAI, 2, 16, key(Map.of()));
    assertThatThrownBy(() -> p.embed("x")).hasMessageContaining("TEST_AI_KEY or TEST_AI_KEY_FILE");
    assertThat(server.count()).isZero();
  }

  private String scrape() throws Exception {
    var out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, registry.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }
}
