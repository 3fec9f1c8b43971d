package io.allidb.dataplane.ai;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.util.ArrayList;
import java.util.List;

/**
 * Embeds English text into 384-dimensional unit vectors with all-MiniLM-L6-v2 (8-bit quantized),
 * fully offline: the ONNX model and tokenizer ship inside the langchain4j jar, and the native ONNX
 * runtime is unpacked from its jar on first use (DJL's tokenizer natives go to {@code ~/.djl.ai},
 * or {@code $DJL_CACHE_DIR}).
 *
 * <p>Chosen for the demo and the CLI because it needs no network, no key and no GPU, embeds a
 * sentence in about a millisecond, and is good enough to rank related passages above unrelated
 * ones. Loading the model takes a second or two, so create one instance and reuse it.
 *
 * <p>Thread-safe: the ONNX session may be called concurrently.
 */
public final class LocalEmbedder implements EmbeddingProvider {
  /** The model's output dimension. */
  public static final int DIMENSION = 384;

  private final EmbeddingModel model;

  /** Loads the model (a second or two). */
  public LocalEmbedder() {
    this.model = new AllMiniLmL6V2QuantizedEmbeddingModel();
  }

  @Override
  public String name() {
    return "local/all-MiniLM-L6-v2";
  }

  /** The vector for {@code text}: {@link #DIMENSION} components, L2 norm 1. */
  @Override
  public float[] embed(String text) {
    return normalize(model.embed(text).content());
  }

  /** Vectors for many texts in one model call, in order; faster than one call per text. */
  @Override
  public List<float[]> embedAll(List<String> texts) {
    var segments = new ArrayList<TextSegment>(texts.size());
    texts.forEach(t -> segments.add(TextSegment.from(t)));
    var out = new ArrayList<float[]>(texts.size());
    for (Embedding e : model.embedAll(segments).content()) {
      out.add(normalize(e));
    }
    return out;
  }

  @Override
  public int dimension() {
    return DIMENSION;
  }

  /**
   * The model already mean-pools and normalizes; normalizing again costs nothing and makes the
   * contract (cosine = dot product) independent of that library detail.
   */
  private static float[] normalize(Embedding e) {
    float[] v = e.vector();
    double sum = 0;
    for (float x : v) {
      sum += x * x;
    }
    if (sum == 0) {
      return v;
    }
    float inv = (float) (1 / Math.sqrt(sum));
    for (int i = 0; i < v.length; i++) {
      v[i] *= inv;
    }
    return v;
  }
}
