package io.allidb.dataplane.index.vector;

/**
 * Tunables of a {@link JVectorIndex}. Immutable; build with {@link #builder()}. The graph names
 * follow jvector and the DiskANN paper ({@code M}, {@code beamWidth}, {@code alpha}).
 *
 * <p>There is deliberately no switch for jvector's HNSW-like upper layers: with them on, jvector
 * 4.0.2 leaves vectors inserted after deletes unreachable (see {@link JVectorIndex}).
 *
 * @param metric how vectors are compared; {@link VectorMetric#COSINE} by default
 * @param maxDegree jvector's {@code M}: the most neighbours a node keeps in the base layer (the
 *     full degree, so 32 is roughly HNSW's M=16). Higher improves recall, above all on hard
 *     high-dimensional data, at the cost of memory ({@code 4 * M} bytes per node per layer) and
 *     insert time; 16 by default: on Fashion-MNIST-784 it gave 1.6x the QPS of 32 at recall 0.95
 *     and a 3-4x faster build (docs/benchmarks.md)
 * @param constructionBeamWidth candidates tracked while inserting a node (HNSW's efConstruction).
 *     Higher builds a better connected graph, which raises recall at every search beam, at a
 *     roughly linear cost in insert time; 100 by default
 * @param neighborOverflow how far a neighbour list may grow past {@code M} before it is pruned
 *     back, in {@code [1, 2]}. More overflow means fewer prunes while inserting (faster, slightly
 *     better graphs) and more memory until cleanup; 1.2 by default
 * @param alpha the Vamana diversity factor, at least 1: a candidate is dropped only when it is
 *     {@code alpha} times closer to an existing neighbour than to the node. Above 1 keeps longer
 *     edges, which shortens search paths (DiskANN); 1.2 by default
 * @param searchBeamWidth beam used when a search passes 0: candidates kept while walking the graph
 *     (HNSW's efSearch). Higher raises recall, latency grows about linearly; 100 by default
 * @param cleanupDeletedFraction deleted (and replaced) nodes stay in the graph as routing points
 *     until a cleanup removes them and repairs their neighbours' lists. Cleanup runs when deleted
 *     nodes exceed this fraction of the graph. Lower keeps memory and wasted search work down but
 *     cleans more often; a cleanup blocks the tenant's writes and searches while it runs; 0.2 by
 *     default
 * @param cleanupMinDeleted no cleanup below this many deleted nodes, so small tenants do not clean
 *     after every delete; 1024 by default
 */
public record VectorIndexOptions(
    VectorMetric metric,
    int maxDegree,
    int constructionBeamWidth,
    float neighborOverflow,
    float alpha,
    int searchBeamWidth,
    double cleanupDeletedFraction,
    int cleanupMinDeleted) {

  /** Validates every tunable; messages name the offending value. */
  public VectorIndexOptions {
    if (metric == null) {
      throw new IllegalArgumentException("metric must not be null");
    }
    if (maxDegree < 2 || maxDegree > 512) {
      throw new IllegalArgumentException("maxDegree must be in [2, 512]; got " + maxDegree);
    }
    if (constructionBeamWidth < 1) {
      throw new IllegalArgumentException(
          "constructionBeamWidth must be at least 1; got " + constructionBeamWidth);
    }
    if (!(neighborOverflow >= 1f && neighborOverflow <= 2f)) {
      throw new IllegalArgumentException(
          "neighborOverflow must be in [1, 2]; got " + neighborOverflow);
    }
    if (!(alpha >= 1f && alpha <= 4f)) {
      throw new IllegalArgumentException("alpha must be in [1, 4]; got " + alpha);
    }
    if (searchBeamWidth < 1) {
      throw new IllegalArgumentException(
          "searchBeamWidth must be at least 1; got " + searchBeamWidth);
    }
    if (!(cleanupDeletedFraction > 0 && cleanupDeletedFraction <= 1)) {
      throw new IllegalArgumentException(
          "cleanupDeletedFraction must be in (0, 1]; got " + cleanupDeletedFraction);
    }
    if (cleanupMinDeleted < 1) {
      throw new IllegalArgumentException(
          "cleanupMinDeleted must be at least 1; got " + cleanupMinDeleted);
    }
  }

  /**
   * The defaults: cosine, M=32, construction beam 100, overflow 1.2, alpha 1.2, search beam 100.
   */
  public static VectorIndexOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Mutable builder of {@link VectorIndexOptions}; not thread-safe. */
  public static final class Builder {
    private VectorMetric metric = VectorMetric.COSINE;
    private int maxDegree = 32;
    private int constructionBeamWidth = 100;
    private float neighborOverflow = 1.2f;
    private float alpha = 1.2f;
    private int searchBeamWidth = 100;
    private double cleanupDeletedFraction = 0.2;
    private int cleanupMinDeleted = 1024;

    private Builder() {}

    public Builder metric(VectorMetric metric) {
      this.metric = metric;
      return this;
    }

    public Builder maxDegree(int maxDegree) {
      this.maxDegree = maxDegree;
      return this;
    }

    public Builder constructionBeamWidth(int constructionBeamWidth) {
      this.constructionBeamWidth = constructionBeamWidth;
      return this;
    }

    public Builder neighborOverflow(float neighborOverflow) {
      this.neighborOverflow = neighborOverflow;
      return this;
    }

    public Builder alpha(float alpha) {
      this.alpha = alpha;
      return this;
    }

    public Builder searchBeamWidth(int searchBeamWidth) {
      this.searchBeamWidth = searchBeamWidth;
      return this;
    }

    public Builder cleanupDeletedFraction(double cleanupDeletedFraction) {
      this.cleanupDeletedFraction = cleanupDeletedFraction;
      return this;
    }

    public Builder cleanupMinDeleted(int cleanupMinDeleted) {
      this.cleanupMinDeleted = cleanupMinDeleted;
      return this;
    }

    public VectorIndexOptions build() {
      return new VectorIndexOptions(
          metric,
          maxDegree,
          constructionBeamWidth,
          neighborOverflow,
          alpha,
          searchBeamWidth,
          cleanupDeletedFraction,
          cleanupMinDeleted);
    }
  }
}
