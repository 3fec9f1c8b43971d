package io.allidb.dataplane.ai;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.allidb.dataplane.security.SecretSource;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Embeddings from an HTTP service, in batches of at most {@code batchSize} texts per call:
 *
 * <ul>
 *   <li>{@link Wire#OPENAI}: {@code POST {base}/embeddings} with {@code {"model", "input": [..]}}
 *       (plus {@code "dimensions"} when the model is asked for a reduced size), answer {@code
 *       data[i].embedding} ordered by {@code data[i].index}; {@code Authorization: Bearer} key.
 *       Works with OpenAI and every OpenAI-compatible server (vLLM, LiteLLM, LocalAI, TEI).
 *   <li>{@link Wire#OLLAMA}: {@code POST {base}/api/embed} with {@code {"model", "input": [..]}},
 *       answer {@code embeddings[i]}; no key.
 *   <li>{@link Wire#CUSTOM}: {@code POST {url}} (the full URL) with {@code {"model", "input":
 *       [..]}}; the answer may be either shape above; the key, if any, goes in a configurable
 *       header (default {@code Authorization: Bearer}).
 * </ul>
 *
 * <p>Each returned vector must have {@link #dimension()} components and finite values, else the
 * call fails naming the provider, the expected and the received dimension. Thread-safe.
 */
public final class HttpEmbeddingProvider implements EmbeddingProvider {

  /** The request and answer shapes a provider speaks. */
  public enum Wire {
    OPENAI,
    OLLAMA,
    CUSTOM
  }

  private final Wire wire;
  private final URI uri;
  private final String model;
  private final int dimension;
  private final boolean requestDimensions;
  private final int batchSize;
  private final Credential credential;
  private final AiHttp http;
  private final AiMetrics.Family metrics;

  /**
   * A credential read per call (so a rotated file applies at once): header name, value prefix and
   * where the secret comes from.
   */
  public record Credential(String header, String prefix, SecretSource source, String name) {
    static final Credential NONE = new Credential(null, null, null, null);

    Map<String, String> headers() throws IOException {
      if (name == null) {
        return Map.of();
      }
      String v =
          source
              .get(name)
              .orElseThrow(
                  () ->
                      new AiProviderException(
                          "no credential: set " + name + " or " + name + "_FILE", false, 0, null))
              .reveal();
      return Map.of(header, prefix + v);
    }
  }

  /**
   * @param base the service's base URL (OPENAI: up to {@code /v1}; OLLAMA: the server root) or, for
   *     CUSTOM, the full endpoint URL
   * @param requestDimensions send {@code "dimensions": dimension} (OpenAI's text-embedding-3 models
   *     shorten their vectors on request)
   */
  public HttpEmbeddingProvider(
      Wire wire,
      URI base,
      String model,
      int dimension,
      boolean requestDimensions,
      int batchSize,
      Credential credential,
      AiHttp.Policy policy,
      AiMetrics metrics) {
    this.wire = Objects.requireNonNull(wire, "wire");
    this.model = Objects.requireNonNull(model, "model");
    if (dimension < 1 || batchSize < 1) {
      throw new IllegalArgumentException(
          "dimension and batchSize must be >= 1; got " + dimension + ", " + batchSize);
    }
    this.dimension = dimension;
    this.requestDimensions = requestDimensions;
    this.batchSize = batchSize;
    this.credential = credential == null ? Credential.NONE : credential;
    this.uri =
        switch (wire) {
          case OPENAI -> join(base, "embeddings");
          case OLLAMA -> join(base, "api/embed");
          case CUSTOM -> base;
        };
    this.metrics = metrics.embedding();
    this.http = new AiHttp(name(), policy, this.metrics);
  }

  private static URI join(URI base, String path) {
    String b = base.toString();
    return URI.create(b.endsWith("/") ? b + path : b + "/" + path);
  }

  @Override
  public String name() {
    return wire.name().toLowerCase(java.util.Locale.ROOT) + "/" + model;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public List<float[]> embedAll(List<String> texts) throws IOException {
    var out = new ArrayList<float[]>(texts.size());
    for (int from = 0; from < texts.size(); from += batchSize) {
      List<String> batch = texts.subList(from, Math.min(texts.size(), from + batchSize));
      out.addAll(call(batch));
    }
    return out;
  }

  private List<float[]> call(List<String> batch) throws IOException {
    var body = new JsonObject();
    body.addProperty("model", model);
    var input = new JsonArray();
    batch.forEach(input::add);
    body.add("input", input);
    if (requestDimensions && wire == Wire.OPENAI) {
      body.addProperty("dimensions", dimension);
    }
    List<float[]> vectors = http.postJson(uri, credential.headers(), body, this::parse);
    if (vectors.size() != batch.size()) {
      throw new AiProviderException(
          name() + ": asked for " + batch.size() + " embeddings, got " + vectors.size(),
          false,
          0,
          null);
    }
    for (float[] v : vectors) {
      if (v.length != dimension) {
        // a configuration error, not a transient one: not retried
        throw new AiProviderException(
            name()
                + ": the service returned "
                + v.length
                + "-dimensional embeddings but the provider is configured for "
                + dimension
                + " (check the model or the configured dimension)",
            false,
            0,
            null);
      }
    }
    metrics.items().labelValues(name()).inc(batch.size());
    return vectors;
  }

  /** Either {@code {"data": [{"index", "embedding"}]}} or {@code {"embeddings": [[..]]}}. */
  private List<float[]> parse(JsonElement answer) {
    JsonObject root = answer.getAsJsonObject();
    var out = new ArrayList<float[]>();
    if (root.has("data")) {
      var byIndex = new HashMap<Integer, float[]>();
      JsonArray data = root.getAsJsonArray("data");
      for (int i = 0; i < data.size(); i++) {
        JsonObject item = data.get(i).getAsJsonObject();
        int index = item.has("index") ? item.get("index").getAsInt() : i;
        byIndex.put(index, vector(item.getAsJsonArray("embedding")));
      }
      for (int i = 0; i < byIndex.size(); i++) {
        float[] v = byIndex.get(i);
        if (v == null) {
          throw new IllegalStateException("data has no embedding with index " + i);
        }
        out.add(v);
      }
    } else if (root.has("embeddings")) {
      for (JsonElement e : root.getAsJsonArray("embeddings")) {
        out.add(vector(e.getAsJsonArray()));
      }
    } else {
      throw new IllegalStateException("neither 'data' nor 'embeddings' in the answer");
    }
    return out;
  }

  private float[] vector(JsonArray a) {
    if (a == null) {
      throw new IllegalStateException("an item has no 'embedding' array");
    }
    float[] v = new float[a.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = a.get(i).getAsFloat();
      if (!Float.isFinite(v[i])) {
        throw new IllegalStateException("embedding component " + i + " is " + v[i]);
      }
    }
    return v;
  }
}
