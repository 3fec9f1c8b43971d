package io.allidb.dataplane.query;

import io.allidb.api.proto.Entity;
import io.allidb.api.proto.QueryRequest;
import io.allidb.api.proto.QueryResult;
import io.allidb.api.proto.ScoreBreakdown;
import io.allidb.api.proto.VectorEmbedding;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The unweighted components of the unified score, each in [0, 1], as the original's executor
 * defined them (spec section 3.5), so every executor ranks alike.
 *
 * <p>Thread-safe: stateless.
 */
public final class ScoreComponents {
  /** Recency's e-folding time (the original's docs called it a half-life; it is not). */
  public static final long RECENCY_TIME_CONSTANT_NANOS = TimeUnit.DAYS.toNanos(30);

  private ScoreComponents() {}

  /** {@code (cos + 1) / 2}; 0 when either vector is zero or the dimensions differ. */
  public static double vector(float[] query, float[] embedding) {
    if (query.length != embedding.length || query.length == 0) {
      return 0;
    }
    double dot = 0;
    double nq = 0;
    double ne = 0;
    for (int i = 0; i < query.length; i++) {
      dot += (double) query[i] * embedding[i];
      nq += (double) query[i] * query[i];
      ne += (double) embedding[i] * embedding[i];
    }
    if (nq == 0 || ne == 0) {
      return 0;
    }
    double cos = Math.max(-1, Math.min(1, dot / Math.sqrt(nq * ne)));
    return (cos + 1) / 2;
  }

  /** {@code sigmoid(importance)}: 0.5 for the default importance 0. */
  public static double importance(double importance) {
    return 1 / (1 + Math.exp(-importance));
  }

  /**
   * {@code exp(-age / 30 days)} clamped to [0, 1]; age is measured at query time (the original
   * froze "now" at process start, so recency drifted with uptime).
   */
  public static double recency(long updatedAtNanos, long nowNanos) {
    double age = (double) (nowNanos - updatedAtNanos);
    return Math.max(0, Math.min(1, Math.exp(-age / RECENCY_TIME_CONSTANT_NANOS)));
  }

  /**
   * The breakdown of one candidate: {@code vector} from its latest embedding (0 without one), the
   * given path's graph component, importance and recency at {@code nowNanos}.
   */
  public static ScoreBreakdown breakdown(
      Entity e, float[] query, double graph, int hops, String seedId, long nowNanos) {
    int n = e.getEmbeddingsCount();
    // the latest embedding is the last one, as in the original
    double v = n == 0 ? 0 : vector(query, toArray(e.getEmbeddings(n - 1)));
    return breakdown(
        v,
        graph,
        importance(e.getImportance()),
        recency(e.getUpdatedAtNanos(), nowNanos),
        hops,
        seedId);
  }

  /** A breakdown from components already computed (see the single-component methods). */
  public static ScoreBreakdown breakdown(
      double vector, double graph, double importance, double recency, int hops, String seedId) {
    return ScoreBreakdown.newBuilder()
        .setVector(vector)
        .setGraph(graph)
        .setImportance(importance)
        .setRecency(recency)
        .setHops(hops)
        .setSeedEntityId(seedId)
        .build();
  }

  /** The unified score: the breakdown's components weighted. */
  public static double weighted(ScoreBreakdown b, ScoringWeights w) {
    return weighted(b.getVector(), b.getGraph(), b.getImportance(), b.getRecency(), w);
  }

  /**
   * The unified score of components; every executor goes through here, so equal components give
   * bit-identical scores.
   */
  public static double weighted(
      double vector, double graph, double importance, double recency, ScoringWeights w) {
    return w.vector() * vector
        + w.graph() * graph
        + w.importance() * importance
        + w.recency() * recency;
  }

  /** A result row; the entity is left out when the request asked to omit entities. */
  public static QueryResult result(Entity e, double score, ScoreBreakdown b, QueryRequest request) {
    return result(e.getEntityId(), request.getOmitEntities() ? null : e, score, b);
  }

  /** A result row with the entity, or without it when {@code e} is null. */
  public static QueryResult result(String entityId, Entity e, double score, ScoreBreakdown b) {
    var r = QueryResult.newBuilder().setEntityId(entityId).setScore(score).setBreakdown(b);
    if (e != null) {
      r.setEntity(e);
    }
    return r.build();
  }

  /** An embedding's components, read unboxed (the list view boxes every float). */
  public static float[] toArray(VectorEmbedding embedding) {
    float[] out = new float[embedding.getVectorCount()];
    for (int i = 0; i < out.length; i++) {
      out[i] = embedding.getVector(i);
    }
    return out;
  }

  /** A protobuf float list as an array. */
  public static float[] toArray(List<Float> v) {
    float[] out = new float[v.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = v.get(i);
    }
    return out;
  }
}
