package io.allidb.dataplane.ai;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * A node's AI configuration: which embedding provider turns text into vectors (for {@code
 * query_text} and for entities written without an embedding) and which LLM extracts entities.
 *
 * @param embeddings the embedding provider and the embed-on-write policy
 * @param llm the LLM behind {@code ExtractEntities}; {@link LlmOptions#none()} disables it
 */
public record AiOptions(EmbeddingOptions embeddings, LlmOptions llm) {
  public AiOptions {
    Objects.requireNonNull(embeddings, "embeddings");
    Objects.requireNonNull(llm, "llm");
  }

  /**
   * The embedded default: the local all-MiniLM-L6-v2 model for {@code query_text}, no embedding on
   * write (a library user opts in; {@code allidb server} turns it on), no LLM.
   */
  public static AiOptions defaults() {
    return new AiOptions(EmbeddingOptions.local(EmbedOnWrite.OFF), LlmOptions.none());
  }

  /** When entities that have chunk text but no embedding get one. */
  public enum EmbedOnWrite {
    /** Never: such entities are stored without a vector (the original's behaviour). */
    OFF,
    /** Before the write is acknowledged: the next query sees the vector. */
    SYNC,
    /**
     * After the write, by a background worker with a bounded queue; when the queue is full the
     * writer embeds itself (back-pressure rather than loss). A write the client makes meanwhile
     * wins: the worker only adds a vector to an entity whose text is unchanged and still has none.
     */
    QUEUE
  }

  /**
   * The embedding provider.
   *
   * @param provider {@code local}, {@code openai}, {@code ollama}, {@code custom} or {@code none}
   * @param url base URL ({@code openai}: up to {@code /v1}; {@code ollama}: the server root) or the
   *     full endpoint ({@code custom}); ignored by {@code local}
   * @param model the model name sent to the service
   * @param dimension the provider's vector dimension; the node refuses to start when it differs
   *     from a configured {@code --vector-dimension}, and a tenant holding vectors of another
   *     dimension gets a clear error instead of mixed vectors
   * @param requestDimensions send {@code "dimensions"} to an OpenAI-compatible service
   * @param batchSize most texts per HTTP call
   * @param secretName environment variable holding the key ({@code NAME} or {@code NAME_FILE});
   *     null for none
   * @param authHeader header carrying the key (custom providers; default {@code Authorization})
   * @param authPrefix prefix of the header value (default {@code "Bearer "})
   * @param http timeout and retries of each call
   * @param embedOnWrite the embed-on-write policy
   * @param queueCapacity pending entities of {@link EmbedOnWrite#QUEUE}
   */
  public record EmbeddingOptions(
      String provider,
      URI url,
      String model,
      int dimension,
      boolean requestDimensions,
      int batchSize,
      String secretName,
      String authHeader,
      String authPrefix,
      AiHttp.Policy http,
      EmbedOnWrite embedOnWrite,
      int queueCapacity) {
    public EmbeddingOptions {
      Objects.requireNonNull(provider, "provider");
      Objects.requireNonNull(http, "http");
      Objects.requireNonNull(embedOnWrite, "embedOnWrite");
      if (queueCapacity < 1 || batchSize < 1) {
        throw new IllegalArgumentException(
            "queueCapacity and batchSize must be >= 1; got " + queueCapacity + ", " + batchSize);
      }
    }

    public static EmbeddingOptions local(EmbedOnWrite embedOnWrite) {
      return new EmbeddingOptions(
          "local",
          null,
          "all-MiniLM-L6-v2",
          LocalEmbedder.DIMENSION,
          false,
          64,
          null,
          null,
          null,
          AiHttp.Policy.defaults(),
          embedOnWrite,
          1024);
    }

    public EmbeddingOptions withEmbedOnWrite(EmbedOnWrite mode) {
      return new EmbeddingOptions(
          provider,
          url,
          model,
          dimension,
          requestDimensions,
          batchSize,
          secretName,
          authHeader,
          authPrefix,
          http,
          mode,
          queueCapacity);
    }
  }

  /**
   * The LLM used for extraction.
   *
   * @param provider {@code openai} (any OpenAI-compatible chat completions API), {@code ollama} or
   *     {@code none}
   * @param url base URL ({@code openai}: up to {@code /v1}; {@code ollama}: the server root)
   * @param model the model name
   * @param secretName environment variable holding the key ({@code NAME} or {@code NAME_FILE})
   * @param temperature sampling temperature (0 for repeatable extraction)
   * @param maxTokens most tokens of an answer; 0 leaves the service's default
   * @param maxRetries extra attempts when the answer fails validation, with the errors fed back
   * @param http timeout and transport retries of each call
   */
  public record LlmOptions(
      String provider,
      URI url,
      String model,
      String secretName,
      double temperature,
      int maxTokens,
      int maxRetries,
      AiHttp.Policy http) {
    public LlmOptions {
      Objects.requireNonNull(provider, "provider");
      Objects.requireNonNull(http, "http");
      if (maxRetries < 0 || maxTokens < 0) {
        throw new IllegalArgumentException(
            "maxRetries and maxTokens must be >= 0; got " + maxRetries + ", " + maxTokens);
      }
    }

    public static LlmOptions none() {
      return new LlmOptions(
          "none",
          null,
          null,
          null,
          0,
          0,
          2,
          new AiHttp.Policy(
              Duration.ofSeconds(120), 2, Duration.ofMillis(500), Duration.ofSeconds(30)));
    }

    public boolean enabled() {
      return !provider.equals("none");
    }
  }
}
