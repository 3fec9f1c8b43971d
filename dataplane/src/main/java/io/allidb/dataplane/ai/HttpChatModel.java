package io.allidb.dataplane.ai;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.allidb.dataplane.ai.AiOptions.LlmOptions;
import io.allidb.dataplane.security.SecretSource;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A chat model over HTTP, with JSON output requested:
 *
 * <ul>
 *   <li>{@code openai}: {@code POST {base}/chat/completions} with {@code messages}, {@code
 *       temperature}, {@code max_tokens} (when set) and {@code response_format: json_object};
 *       answer {@code choices[0].message.content}; {@code Authorization: Bearer} key. Works with
 *       any OpenAI-compatible server.
 *   <li>{@code ollama}: {@code POST {base}/api/chat} with {@code stream: false}, {@code format:
 *       json} and {@code options.temperature} / {@code options.num_predict}; answer {@code
 *       message.content}.
 * </ul>
 *
 * <p>Transport failures are retried by {@link AiHttp}. Thread-safe.
 */
public final class HttpChatModel implements ChatModel {
  private final boolean openai;
  private final URI uri;
  private final LlmOptions options;
  private final SecretSource secrets;
  private final AiHttp http;
  private final AiMetrics.Family metrics;

  public HttpChatModel(LlmOptions options, SecretSource secrets, AiMetrics metrics) {
    String kind = options.provider().toLowerCase(Locale.ROOT);
    this.openai =
        switch (kind) {
          case "openai" -> true;
          case "ollama" -> false;
          default ->
              throw new IllegalArgumentException(
                  "unknown LLM provider '" + options.provider() + "'; use openai, ollama or none");
        };
    if (options.model() == null || options.model().isBlank()) {
      throw new IllegalArgumentException("LLM provider " + kind + " needs a model name");
    }
    URI base =
        options.url() != null
            ? options.url()
            : URI.create(openai ? "https://api.openai.com/v1" : "http://localhost:11434");
    String b = base.toString().endsWith("/") ? base.toString() : base + "/";
    this.uri = URI.create(b + (openai ? "chat/completions" : "api/chat"));
    this.options = options;
    this.secrets = secrets;
    this.metrics = metrics.llm();
    this.http = new AiHttp(name(), options.http(), this.metrics);
  }

  @Override
  public String name() {
    return (openai ? "openai/" : "ollama/") + options.model();
  }

  @Override
  public String complete(List<Message> messages) throws IOException {
    var body = new JsonObject();
    body.addProperty("model", options.model());
    var msgs = new JsonArray();
    for (Message m : messages) {
      var o = new JsonObject();
      o.addProperty("role", m.role());
      o.addProperty("content", m.content());
      msgs.add(o);
    }
    body.add("messages", msgs);
    if (openai) {
      body.addProperty("temperature", options.temperature());
      if (options.maxTokens() > 0) {
        body.addProperty("max_tokens", options.maxTokens());
      }
      var format = new JsonObject();
      format.addProperty("type", "json_object");
      body.add("response_format", format);
    } else {
      body.addProperty("stream", false);
      body.addProperty("format", "json");
      var o = new JsonObject();
      o.addProperty("temperature", options.temperature());
      if (options.maxTokens() > 0) {
        o.addProperty("num_predict", options.maxTokens());
      }
      body.add("options", o);
    }
    Map<String, String> headers = Map.of();
    if (options.secretName() != null) {
      String key =
          secrets
              .get(options.secretName())
              .orElseThrow(
                  () ->
                      new AiProviderException(
                          "no credential: set "
                              + options.secretName()
                              + " or "
                              + options.secretName()
                              + "_FILE",
                          false,
                          0,
                          null))
              .reveal();
      headers = Map.of("Authorization", "Bearer " + key);
    }
    String answer = http.postJson(uri, headers, body, this::content);
    metrics.items().labelValues(name()).inc();
    return answer;
  }

  private String content(JsonElement root) {
    JsonObject o = root.getAsJsonObject();
    JsonObject message =
        openai
            ? o.getAsJsonArray("choices").get(0).getAsJsonObject().getAsJsonObject("message")
            : o.getAsJsonObject("message");
    if (message == null || !message.has("content")) {
      throw new IllegalStateException("no message content in the answer");
    }
    return message.get("content").getAsString();
  }
}
