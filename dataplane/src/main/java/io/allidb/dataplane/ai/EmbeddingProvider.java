package io.allidb.dataplane.ai;

import java.io.IOException;
import java.util.List;

/**
 * Turns text into vectors. Implementations: {@link LocalEmbedder} (all-MiniLM-L6-v2 in process, the
 * default) and {@link HttpEmbeddingProvider} (OpenAI-compatible, Ollama, custom HTTP).
 *
 * <p>Every vector a provider returns has {@link #dimension()} components; a provider that receives
 * another dimension from its service fails with a message naming both, rather than letting a
 * mismatched vector reach a tenant's index. Implementations must be thread-safe.
 */
public interface EmbeddingProvider {

  /** A short name for logs, metrics and errors, e.g. {@code local/all-MiniLM-L6-v2}. */
  String name();

  /** The dimension of every vector this provider returns. */
  int dimension();

  /**
   * Vectors for {@code texts}, in order.
   *
   * @throws IOException when the provider fails after its retries; the message names the provider
   *     and the cause, never a credential
   */
  List<float[]> embedAll(List<String> texts) throws IOException;

  /** The vector for one text. */
  default float[] embed(String text) throws IOException {
    return embedAll(List.of(text)).get(0);
  }
}
