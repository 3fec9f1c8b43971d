package io.allidb.dataplane.ai;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.allidb.api.proto.Entity;
import io.allidb.api.proto.GraphEdge;
import io.allidb.api.proto.TextChunk;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Extracts entities and relations from text with an LLM, as JSON validated against the versioned
 * schema {@value #SCHEMA_VERSION} ({@code entity-graph.v1.schema.json}, JSON Schema 2020-12,
 * checked by networknt's validator) plus the checks a schema cannot express (unique ids, relations
 * between extracted entities).
 *
 * <p>An answer that fails is sent back to the model with the exact errors ({@code
 * retry-prompt.txt}) in the same conversation, up to {@code maxRetries} times; transport failures
 * are retried beneath, by {@link AiHttp}. When every attempt fails, {@link ExtractionException}
 * lists the last answer's errors. The prompts and the schema are resources next to this class.
 *
 * <p>Thread-safe: the schema is immutable and each call has its own conversation.
 */
public final class EntityExtractor {
  public static final String SCHEMA_VERSION = "entity-graph/v1";
  private static final Logger logger = LoggerFactory.getLogger(EntityExtractor.class);
  private static final String RESOURCES = "/io/allidb/dataplane/ai/extraction/";
  private static final int MAX_ERRORS_FED_BACK = 20;

  private final ChatModel model;
  private final AiMetrics metrics;
  private final Schema schema;
  private final String systemPrompt;
  private final String userPrompt;
  private final String retryPrompt;

  /** Raised when no attempt produced a valid answer; the message lists the errors. */
  public static final class ExtractionException extends IOException {
    private final List<String> errors;
    private final int attempts;

    ExtractionException(String model, int attempts, List<String> errors) {
      super(
          model
              + "'s answer failed "
              + SCHEMA_VERSION
              + " validation after "
              + attempts
              + " attempt(s): "
              + String.join("; ", errors));
      this.errors = List.copyOf(errors);
      this.attempts = attempts;
    }

    public List<String> errors() {
      return errors;
    }

    public int attempts() {
      return attempts;
    }
  }

  /** A validated extraction and the LLM calls it took. */
  public record Extraction(JsonObject graph, int attempts) {}

  public EntityExtractor(ChatModel model, AiMetrics metrics) {
    this.model = model;
    this.metrics = metrics;
    String schemaText = resource("entity-graph.v1.schema.json");
    this.schema =
        SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
            .getSchema(schemaText, InputFormat.JSON);
    this.systemPrompt = resource("system-prompt.txt").replace("{schema}", schemaText.strip());
    this.userPrompt = resource("user-prompt.txt");
    this.retryPrompt = resource("retry-prompt.txt");
  }

  private static String resource(String name) {
    try (InputStream in = EntityExtractor.class.getResourceAsStream(RESOURCES + name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + RESOURCES + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Asks the model, validates, and retries with the errors fed back.
   *
   * @throws ExtractionException when {@code maxRetries + 1} answers all failed validation
   * @throws IOException when the model cannot be reached
   */
  public Extraction extract(String text, int maxRetries) throws IOException {
    if (text.isBlank()) {
      throw new IllegalArgumentException("text is required");
    }
    var conversation = new ArrayList<ChatModel.Message>();
    conversation.add(new ChatModel.Message("system", systemPrompt));
    conversation.add(new ChatModel.Message("user", userPrompt.replace("{text}", text)));
    List<String> errors = List.of();
    for (int attempt = 1; attempt <= maxRetries + 1; attempt++) {
      String answer = model.complete(conversation);
      errors = validate(answer);
      if (errors.isEmpty()) {
        return new Extraction(
            JsonParser.parseString(stripFences(answer)).getAsJsonObject(), attempt);
      }
      metrics.validationFailed();
      logger.warn(
          "{} answer {} failed {} validation: {}", model.name(), attempt, SCHEMA_VERSION, errors);
      var fed = errors.subList(0, Math.min(errors.size(), MAX_ERRORS_FED_BACK));
      conversation.add(new ChatModel.Message("assistant", answer));
      conversation.add(
          new ChatModel.Message(
              "user", retryPrompt.replace("{errors}", "- " + String.join("\n- ", fed))));
    }
    throw new ExtractionException(model.name(), maxRetries + 1, errors);
  }

  /** The errors of an answer: JSON syntax, then schema, then cross-references; empty when valid. */
  public List<String> validate(String answer) {
    String json = stripFences(answer);
    JsonElement parsed;
    try {
      parsed = JsonParser.parseString(json);
    } catch (RuntimeException e) {
      return List.of("not valid JSON: " + e.getMessage());
    }
    if (!parsed.isJsonObject()) {
      return List.of("the answer must be one JSON object");
    }
    var out = new ArrayList<String>();
    for (Error e : schema.validate(json, InputFormat.JSON)) {
      out.add(e.getInstanceLocation() + ": " + e.getMessage());
    }
    if (out.isEmpty()) {
      out.addAll(crossReferences(parsed.getAsJsonObject()));
    }
    return out;
  }

  private static List<String> crossReferences(JsonObject graph) {
    var out = new ArrayList<String>();
    Set<String> ids = new HashSet<>();
    var entities = graph.getAsJsonArray("entities");
    for (int i = 0; i < entities.size(); i++) {
      String id = entities.get(i).getAsJsonObject().get("id").getAsString();
      if (!ids.add(id)) {
        out.add("/entities/" + i + "/id: duplicate id '" + id + "'");
      }
    }
    var relations = graph.getAsJsonArray("relations");
    for (int i = 0; i < relations.size(); i++) {
      JsonObject r = relations.get(i).getAsJsonObject();
      for (String end : List.of("from_id", "to_id")) {
        String id = r.get(end).getAsString();
        if (!ids.contains(id)) {
          out.add("/relations/" + i + "/" + end + ": '" + id + "' is not an extracted entity id");
        }
      }
    }
    return out;
  }

  /** A model may wrap its JSON in a markdown fence despite the prompt; take what is inside. */
  static String stripFences(String answer) {
    String s = answer.strip();
    if (s.startsWith("```")) {
      int firstLine = s.indexOf('\n');
      int end = s.lastIndexOf("```");
      if (firstLine > 0 && end > firstLine) {
        return s.substring(firstLine + 1, end).strip();
      }
    }
    return s;
  }

  /**
   * The entities of a validated graph: type and id as extracted, one chunk with "name: description"
   * (metadata: name, source, the entity's properties), outgoing edges from its relations (weight
   * 1.0 when the model gave none).
   */
  public static List<Entity> toEntities(JsonObject graph, String source) {
    var byId = new LinkedHashMap<String, Entity.Builder>();
    for (JsonElement el : graph.getAsJsonArray("entities")) {
      JsonObject e = el.getAsJsonObject();
      String id = e.get("id").getAsString();
      String name = e.get("name").getAsString();
      String description = e.has("description") ? e.get("description").getAsString() : "";
      var chunk =
          TextChunk.newBuilder()
              .setChunkId(id + "#extracted")
              .setText(description.isBlank() ? name : name + ": " + description)
              .putMetadata("name", name)
              .putMetadata("extracted_by", SCHEMA_VERSION);
      if (!source.isBlank()) {
        chunk.putMetadata("source", source);
      }
      if (e.has("properties")) {
        for (Map.Entry<String, JsonElement> p : e.getAsJsonObject("properties").entrySet()) {
          chunk.putMetadata(p.getKey(), p.getValue().getAsString());
        }
      }
      byId.put(
          id,
          Entity.newBuilder()
              .setEntityId(id)
              .setEntityType(e.get("type").getAsString())
              .addChunks(chunk));
    }
    for (JsonElement el : graph.getAsJsonArray("relations")) {
      JsonObject r = el.getAsJsonObject();
      String from = r.get("from_id").getAsString();
      byId.get(from)
          .addOutgoingEdges(
              GraphEdge.newBuilder()
                  .setFromEntity(from)
                  .setToEntity(r.get("to_id").getAsString())
                  .setRelation(r.get("relation").getAsString())
                  .setWeight(r.has("weight") ? r.get("weight").getAsDouble() : 1.0));
    }
    var out = new ArrayList<Entity>(byId.size());
    byId.values().forEach(b -> out.add(b.build()));
    return out;
  }
}
