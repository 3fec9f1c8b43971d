package io.allidb.dataplane.query;

/**
 * Server-side defaults and limits of the Graph RAG query, for request fields left at zero.
 *
 * @param expandFactor ANN seeds per wanted result ({@code k * expandFactor} seeds); more seeds find
 *     more graph paths at the cost of latency. The original's default: 2
 * @param maxHops default expansion depth. Each hop multiplies the candidates by up to {@code
 *     fanout}; 2 reaches "documents that mention people who wrote other documents"
 * @param maxHopsLimit the most hops a request may ask for
 * @param fanout new neighbours taken per entity per hop
 * @param maxCandidates most entities one query scores (seeds plus expansion); bounds the work
 * @param ef default ANN beam width; higher improves recall at the cost of latency
 * @param weights the server's score weights; a request's {@code weights} override them one by one
 */
public record QueryDefaults(
    int expandFactor,
    int maxHops,
    int maxHopsLimit,
    int fanout,
    int maxCandidates,
    int ef,
    ScoringWeights weights) {
  public QueryDefaults {
    if (expandFactor < 1 || maxHops < 0 || maxHopsLimit < maxHops || fanout < 1) {
      throw new IllegalArgumentException(
          "need expandFactor >= 1, 0 <= maxHops <= maxHopsLimit, fanout >= 1; got "
              + expandFactor
              + ", "
              + maxHops
              + ", "
              + maxHopsLimit
              + ", "
              + fanout);
    }
    java.util.Objects.requireNonNull(weights, "weights");
    if (maxCandidates < 1 || ef < 1) {
      throw new IllegalArgumentException(
          "maxCandidates and ef must be >= 1; got " + maxCandidates + ", " + ef);
    }
  }

  /**
   * 2 seeds per result, 2 hops (at most 4), 10 neighbours per hop, 400 candidates, beam 100, the
   * original's weights. Every candidate is scored (from the indexes' memory, not storage), so the
   * candidate budget bounds a query's cost: 400 is what the Graph RAG latency target assumes
   * (PERFORMANCE_ANCHORS.md section 7); the original allowed 1000.
   */
  public static QueryDefaults standard() {
    return new QueryDefaults(2, 2, 4, 10, 400, 100, ScoringWeights.DEFAULT);
  }

  /** These defaults with other server weights. */
  public QueryDefaults withWeights(ScoringWeights w) {
    return new QueryDefaults(expandFactor, maxHops, maxHopsLimit, fanout, maxCandidates, ef, w);
  }
}
