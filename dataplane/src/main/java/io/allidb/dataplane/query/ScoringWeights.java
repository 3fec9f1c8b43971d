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
    return DEFAULT.overriddenBy(requested);
  }

  /** The request's weights, each absent one replaced by this (the server's) weight. */
  public ScoringWeights overriddenBy(ScoreWeights requested) {
    return new ScoringWeights(
        requested.hasVector() ? requested.getVector() : vector,
        requested.hasGraph() ? requested.getGraph() : graph,
        requested.hasImportance() ? requested.getImportance() : importance,
        requested.hasRecency() ? requested.getRecency() : recency);
  }

  /**
   * Parses {@code "vector,graph,importance,recency"}, e.g. {@code "1.0,0.3,0.2,0.1"}.
   *
   * @throws IllegalArgumentException naming the input when it is not four numbers
   */
  public static ScoringWeights parse(String text) {
    String[] parts = text.split(",");
    if (parts.length != 4) {
      throw new IllegalArgumentException(
          "score weights must be four comma-separated numbers (vector,graph,importance,recency);"
              + " got '"
              + text
              + "'");
    }
    try {
      return new ScoringWeights(
          Double.parseDouble(parts[0].trim()),
          Double.parseDouble(parts[1].trim()),
          Double.parseDouble(parts[2].trim()),
          Double.parseDouble(parts[3].trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("score weights '" + text + "': " + e.getMessage());
    }
  }
}
