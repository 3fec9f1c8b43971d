package io.allidb.dataplane.query;

import io.allidb.api.proto.ScoreWeights;

/**
 * Weights of the unified score {@code vector*v + graph*g + importance*i + recency*r}.
 *
 * <p>{@link #DEFAULT} holds the original's hard-coded weights (1.0, 0.3, 0.2, 0.1; the original's
 * docs claimed 0.5/0.3/0.15/0.05, its code used these). Immutable and thread-safe.
 */
public record ScoringWeights(double vector, double graph, double importance, double recency) {

  /** The original's weights: cosine 1.0, graph 0.3, importance 0.2, recency 0.1. */
  public static final ScoringWeights DEFAULT = new ScoringWeights(1.0, 0.3, 0.2, 0.1);

  public ScoringWeights {
    check("vector", vector);
    check("graph", graph);
    check("importance", importance);
    check("recency", recency);
  }

  private static void check(String name, double w) {
    if (!Double.isFinite(w) || w < 0) {
      throw new IllegalArgumentException(
          "weights." + name + " must be a finite number >= 0; got " + w);
    }
  }

  /** The request's weights, each absent one replaced by {@link #DEFAULT}'s. */
  public static ScoringWeights resolve(ScoreWeights requested) {
    return new ScoringWeights(
        requested.hasVector() ? requested.getVector() : DEFAULT.vector,
        requested.hasGraph() ? requested.getGraph() : DEFAULT.graph,
        requested.hasImportance() ? requested.getImportance() : DEFAULT.importance,
        requested.hasRecency() ? requested.getRecency() : DEFAULT.recency);
  }
}
