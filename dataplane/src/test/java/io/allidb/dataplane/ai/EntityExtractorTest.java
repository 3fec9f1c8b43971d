package io.allidb.dataplane.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.allidb.api.proto.Entity;
import io.allidb.dataplane.ai.AiOptions.LlmOptions;
import io.allidb.dataplane.ai.FakeAiServer.Reply;
import io.allidb.dataplane.security.SecretSource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Extraction against a fake OpenAI-compatible chat server on loopback. */
public class EntityExtractorTest {
  private static final String KEY = "sk-llm-SECRET-9f8e7d6c5b4a";
  public static final String VALID =
      """
      {"entities": [
         {"id": "person:ada", "type": "person", "name": "Ada Lovelace",
          "description": "Wrote the first program.", "properties": {"born": "1815"}},
         {"id": "machine:engine", "type": "machine", "name": "Analytical Engine"}],
       "relations": [
         {"from_id": "person:ada", "to_id": "machine:engine", "relation": "programmed",
          "weight": 0.9}]}
      """;

  private FakeAiServer server;
  private EntityExtractor extractor;

  @BeforeEach
  void start() throws Exception {
    server = new FakeAiServer();
    var options =
        new LlmOptions(
            "openai",
            server.base().resolve("/v1"),
            "fake-llm",
            "TEST_LLM_KEY",
            0,
            512,
            2,
            new AiHttp.Policy(
                Duration.ofSeconds(5), 2, Duration.ofMillis(10), Duration.ofSeconds(1)));
    var model =
        new HttpChatModel(
            options, SecretSource.of(Map.of("TEST_LLM_KEY", KEY)), AiMetrics.standalone());
    extractor = new EntityExtractor(model, AiMetrics.standalone());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  public static String chat(String content) {
    var message = new JsonObject();
    message.addProperty("role", "assistant");
    message.addProperty("content", content);
    var choice = new JsonObject();
    choice.add("message", message);
    var root = new JsonObject();
    var choices = new com.google.gson.JsonArray();
    choices.add(choice);
    root.add("choices", choices);
    return root.toString();
  }

  @Test
  void retriesWithTheValidationErrorsFedBackUntilTheAnswerIsValid() throws Exception {
    server.then(Reply.ok(chat("Sure! Here are the entities: {\"entities\": [")));
    server.then(
        Reply.ok(
            chat(
                "{\"entities\": [{\"id\": \"person:ada\", \"type\": \"person\"}],"
                    + " \"relations\": [{\"from_id\": \"person:ada\", \"to_id\": \"x\","
                    + " \"relation\": \"Knows Well\"}]}")));
    server.then(Reply.ok(chat("```json\n" + VALID + "\n```")));

    var x = extractor.extract("Ada Lovelace programmed the Analytical Engine.", 2);

    assertThat(x.attempts()).isEqualTo(3);
    assertThat(x.graph().getAsJsonArray("entities")).hasSize(2);
    // attempt 2 was told the JSON was broken; attempt 3 got the schema errors of answer 2
    var second = JsonParser.parseString(server.requests.get(1).body()).getAsJsonObject();
    var msgs2 = second.getAsJsonArray("messages");
    assertThat(msgs2).hasSize(4);
    assertThat(msgs2.get(3).getAsJsonObject().get("content").getAsString())
        .contains("not valid JSON");
    var third = JsonParser.parseString(server.requests.get(2).body()).getAsJsonObject();
    String feedback =
        third.getAsJsonArray("messages").get(5).getAsJsonObject().get("content").getAsString();
    assertThat(feedback)
        .contains("/entities/0: required property 'name' not found")
        .contains("/relations/0/relation");
    assertThat(second.get("response_format").getAsJsonObject().get("type").getAsString())
        .isEqualTo("json_object");
    assertThat(server.requests.get(0).headers().get("Authorization"))
        .containsExactly("Bearer " + KEY);
  }

  @Test
  void schemaViolationsAreReportedClearlyAfterTheLastAttempt() {
    server.always(
        Reply.ok(
            chat(
                "{\"entities\": [{\"id\": \"a\", \"type\": \"t\", \"name\": \"A\"}],"
                    + " \"relations\": [{\"from_id\": \"a\", \"to_id\": \"ghost\","
                    + " \"relation\": \"knows\", \"weight\": 7}]}")));

    assertThatThrownBy(() -> extractor.extract("text", 1))
        .isInstanceOfSatisfying(
            EntityExtractor.ExtractionException.class,
            e -> {
              assertThat(e.attempts()).isEqualTo(2);
              assertThat(e.errors()).anySatisfy(m -> assertThat(m).contains("weight"));
            })
        .hasMessageContaining("entity-graph/v1 validation after 2 attempt(s)")
        .hasMessageContaining("/relations/0/weight: must have a maximum value of 1");
    assertThat(server.count()).isEqualTo(2);
  }

  @Test
  void relationsMustJoinExtractedEntities() {
    List<String> errors =
        extractor.validate(
            "{\"entities\": [{\"id\": \"a\", \"type\": \"t\", \"name\": \"A\"},"
                + " {\"id\": \"a\", \"type\": \"t\", \"name\": \"B\"}],"
                + " \"relations\": [{\"from_id\": \"a\", \"to_id\": \"ghost\", \"relation\": \"r\"}]}");
    assertThat(errors)
        .containsExactly(
            "/entities/1/id: duplicate id 'a'",
            "/relations/0/to_id: 'ghost' is not an extracted entity id");
  }

  @Test
  void transportFailuresAreRetriedBeneathValidation() throws Exception {
    server.then(new Reply(429, "{}", Map.of("Retry-After", "0"), 0));
    server.then(Reply.status(502, "bad gateway"));
    server.then(Reply.ok(chat(VALID)));

    assertThat(extractor.extract("text", 0).attempts()).isEqualTo(1);
    assertThat(server.count()).isEqualTo(3);
  }

  @Test
  void theGraphBecomesEntitiesWithChunksAndEdges() {
    List<Entity> entities =
        EntityExtractor.toEntities(JsonParser.parseString(VALID).getAsJsonObject(), "notes.txt");
    assertThat(entities)
        .extracting(Entity::getEntityId)
        .containsExactly("person:ada", "machine:engine");
    Entity ada = entities.get(0);
    assertThat(ada.getEntityType()).isEqualTo("person");
    assertThat(ada.getChunks(0).getText()).isEqualTo("Ada Lovelace: Wrote the first program.");
    assertThat(ada.getChunks(0).getMetadataMap())
        .containsEntry("source", "notes.txt")
        .containsEntry("born", "1815");
    assertThat(ada.getOutgoingEdges(0).getToEntity()).isEqualTo("machine:engine");
    assertThat(ada.getOutgoingEdges(0).getRelation()).isEqualTo("programmed");
    assertThat(ada.getOutgoingEdges(0).getWeight()).isEqualTo(0.9);
  }

  @Test
  void noProviderSecretReachesTheLogs() throws Exception {
    PrintStream original = System.err;
    var captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      server.then(Reply.ok(chat("not json")));
      server.always(Reply.status(401, "{\"error\": \"invalid key\"}"));
      assertThatThrownBy(() -> extractor.extract("text", 3)).hasMessageNotContaining(KEY);
    } finally {
      System.setErr(original);
    }
    String logs = captured.toString(StandardCharsets.UTF_8);
    assertThat(logs).contains("failed entity-graph/v1 validation"); // the logger did write
    assertThat(logs).doesNotContain(KEY);
  }
}
