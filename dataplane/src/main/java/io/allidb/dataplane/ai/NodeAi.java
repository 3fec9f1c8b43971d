package io.allidb.dataplane.ai;

import io.allidb.dataplane.ai.AiOptions.EmbedOnWrite;
import io.allidb.dataplane.security.SecretSource;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * A node's AI services, built from its {@link AiOptions}: {@link TextEmbeddings} (query text, embed
 * on write) and, when an LLM is configured, the {@link EntityExtractor}. Closing stops the
 * embed-on-write worker and unregisters the metrics. Thread-safe.
 */
public final class NodeAi implements AutoCloseable {
  private final AiOptions options;
  private final AiMetrics metrics;
  private final TextEmbeddings embeddings;
  private final EntityExtractor extractor;

  private NodeAi(
      AiOptions options, AiMetrics metrics, TextEmbeddings embeddings, EntityExtractor extractor) {
    this.options = options;
    this.metrics = metrics;
    this.embeddings = embeddings;
    this.extractor = extractor;
  }

  /**
   * Builds the services; the embedding provider itself is created on first use.
   *
   * @param vectorDimension the node's required dimension, 0 for any
   * @param tenantDimension a tenant's stored vector dimension, if any
   * @throws IllegalArgumentException when the provider's dimension contradicts {@code
   *     vectorDimension}, or an option is invalid
   */
  public static NodeAi create(
      AiOptions options,
      int vectorDimension,
      Function<String, OptionalInt> tenantDimension,
      SecretSource secrets,
      PrometheusRegistry registry) {
    var e = options.embeddings();
    boolean hasProvider = !e.provider().equalsIgnoreCase("none");
    // with embed on write the provider's vectors reach every tenant: a contradiction is fatal.
    // Without it the provider only serves query_text, whose vector the node's dimension check
    // rejects per query with a message naming both dimensions.
    if (hasProvider
        && e.embedOnWrite() != EmbedOnWrite.OFF
        && vectorDimension > 0
        && e.dimension() != vectorDimension) {
      throw new IllegalArgumentException(
          "the embedding provider "
              + e.provider()
              + "/"
              + e.model()
              + " makes "
              + e.dimension()
              + "-dimensional vectors but the node requires "
              + vectorDimension
              + " (--vector-dimension); embed on write ("
              + e.embedOnWrite()
              + ") would write vectors the node refuses: change the provider, the dimension, or"
              + " use --embed-on-write OFF");
    }
    if (!hasProvider && e.embedOnWrite() != EmbedOnWrite.OFF) {
      throw new IllegalArgumentException(
          "embed on write (" + e.embedOnWrite() + ") needs an embedding provider; got none");
    }
    var metrics = new AiMetrics(registry);
    try {
      var embeddings =
          new TextEmbeddings(
              () -> EmbeddingProviders.create(e, secrets, metrics),
              e.embedOnWrite(),
              e.queueCapacity(),
              tenantDimension);
      EntityExtractor extractor =
          options.llm().enabled()
              ? new EntityExtractor(new HttpChatModel(options.llm(), secrets, metrics), metrics)
              : null;
      return new NodeAi(options, metrics, embeddings, extractor);
    } catch (RuntimeException ex) {
      metrics.close();
      throw ex;
    }
  }

  public TextEmbeddings embeddings() {
    return embeddings;
  }

  /** The extractor, or empty when no LLM is configured. */
  public Optional<EntityExtractor> extractor() {
    return Optional.ofNullable(extractor);
  }

  /** Extra attempts of an extraction whose request does not say. */
  public int defaultExtractionRetries() {
    return options.llm().maxRetries();
  }

  @Override
  public void close() {
    try {
      embeddings.close();
    } finally {
      metrics.close();
    }
  }
}
