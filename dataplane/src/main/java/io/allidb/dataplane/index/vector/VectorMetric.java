package io.allidb.dataplane.index.vector;

import io.github.jbellis.jvector.vector.VectorSimilarityFunction;

/**
 * How vectors are compared. Every metric is turned into a similarity where higher means closer;
 * {@link VectorHit#similarity()} documents the range of each.
 */
public enum VectorMetric {
  /**
   * Cosine of the angle, scaled to {@code (1 + cos) / 2} in {@code [0, 1]}. The default: it ignores
   * vector length, which is what most text embedding models expect. Zero vectors are rejected.
   */
  COSINE(VectorSimilarityFunction.COSINE),
  /**
   * Dot product, scaled to {@code (1 + dot) / 2}: in {@code [0, 1]} for unit vectors, unbounded
   * otherwise. Cheaper than cosine; use it only with vectors the embedder already normalized.
   */
  DOT_PRODUCT(VectorSimilarityFunction.DOT_PRODUCT),
  /** Euclidean distance as {@code 1 / (1 + squaredDistance)} in {@code (0, 1]}; 1 means equal. */
  EUCLIDEAN(VectorSimilarityFunction.EUCLIDEAN);

  private final VectorSimilarityFunction function;

  VectorMetric(VectorSimilarityFunction function) {
    this.function = function;
  }

  VectorSimilarityFunction function() {
    return function;
  }
}
