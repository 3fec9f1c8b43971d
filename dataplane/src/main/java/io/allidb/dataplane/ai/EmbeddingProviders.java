package io.allidb.dataplane.ai;

import io.allidb.dataplane.ai.AiOptions.EmbeddingOptions;
import io.allidb.dataplane.security.SecretSource;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/** Builds the {@link EmbeddingProvider} an {@link EmbeddingOptions} names. */
public final class EmbeddingProviders {
  private EmbeddingProviders() {}

  /**
   * The provider, or empty for {@code none}. The local model is loaded here (a second or two).
   *
   * @throws IllegalArgumentException naming the option at fault (unknown provider, missing URL or
   *     model)
   */
  public static Optional<EmbeddingProvider> create(
      EmbeddingOptions o, SecretSource secrets, AiMetrics metrics) {
    String kind = o.provider().toLowerCase(Locale.ROOT);
    if (kind.equals("none")) {
      return Optional.empty();
    }
    if (kind.equals("local")) {
      if (o.dimension() != LocalEmbedder.DIMENSION) {
        throw new IllegalArgumentException(
            "the local provider (all-MiniLM-L6-v2) makes "
                + LocalEmbedder.DIMENSION
                + "-dimensional vectors; configured dimension "
                + o.dimension());
      }
      return Optional.of(new LocalEmbedder());
    }
    HttpEmbeddingProvider.Wire wire =
        switch (kind) {
          case "openai" -> HttpEmbeddingProvider.Wire.OPENAI;
          case "ollama" -> HttpEmbeddingProvider.Wire.OLLAMA;
          case "custom" -> HttpEmbeddingProvider.Wire.CUSTOM;
          default ->
              throw new IllegalArgumentException(
                  "unknown embedding provider '"
                      + o.provider()
                      + "'; use local, openai, ollama, custom or none");
        };
    URI url = o.url() != null ? o.url() : defaultUrl(wire);
    if (o.model() == null || o.model().isBlank()) {
      throw new IllegalArgumentException("embedding provider " + kind + " needs a model name");
    }
    var credential =
        o.secretName() == null
            ? null
            : new HttpEmbeddingProvider.Credential(
                o.authHeader() == null ? "Authorization" : o.authHeader(),
                o.authPrefix() == null ? "Bearer " : o.authPrefix(),
                secrets,
                o.secretName());
    return Optional.of(
        new HttpEmbeddingProvider(
            wire,
            url,
            o.model(),
            o.dimension(),
            o.requestDimensions(),
            o.batchSize(),
            credential,
            o.http(),
            metrics));
  }

  private static URI defaultUrl(HttpEmbeddingProvider.Wire wire) {
    return switch (wire) {
      case OPENAI -> URI.create("https://api.openai.com/v1");
      case OLLAMA -> URI.create("http://localhost:11434");
      case CUSTOM ->
          throw new IllegalArgumentException("the custom embedding provider needs a URL");
    };
  }
}
