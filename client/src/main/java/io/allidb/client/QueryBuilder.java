package io.allidb.client;

import io.allidb.api.proto.ConsistencyLevel;
import io.allidb.api.proto.HybridMode;
import io.allidb.api.proto.QueryFilter;
import io.allidb.api.proto.QueryRequest;
import io.allidb.api.proto.QueryResult;
import io.allidb.api.proto.ScoreWeights;
import io.allidb.api.proto.TraversalDirection;
import java.util.List;
import java.util.Map;

/**
 * A Graph RAG query (docs/api.md, "Graph RAG query"): ANN seeds from a vector (or from text the
 * node embeds), expansion along relations, the unified score. Every result carries its score
 * breakdown. Unset options take the node's defaults. Not thread-safe; build and execute on one
 * thread.
 *
 * <pre>{@code
 * List<QueryResult> hits = client.query().vector(v).k(5).entityTypes("person")
 *     .hops(2).relations("influenced", "designed_by").direction(TraversalDirection.OUTGOING)
 *     .execute();
 * }</pre>
 */
public final class QueryBuilder {
  /** The node's upper bound on k. */
  public static final int MAX_K = 1000;

  private final AlliClient client;
  private final QueryRequest.Builder request = QueryRequest.newBuilder();
  private final QueryFilter.Builder filter = QueryFilter.newBuilder();
  private final ScoreWeights.Builder weights = ScoreWeights.newBuilder();

  QueryBuilder(AlliClient client) {
    this.client = client;
    if (client.consistency() != null) {
      request.setConsistencyLevel(client.consistency());
    }
  }

  /** The query vector (the tenant's embedding dimension). */
  public QueryBuilder vector(float... vector) {
    request.clearQueryVector();
    for (float f : vector) {
      request.addQueryVector(f);
    }
    return this;
  }

  /** The query vector. */
  public QueryBuilder vector(List<Float> vector) {
    request.clearQueryVector().addAllQueryVector(vector);
    return this;
  }

  /**
   * Text: embedded by the node's embedding provider when no vector is set, and the BM25 query of
   * the hybrid modes (docs/ai.md).
   */
  public QueryBuilder text(String text) {
    request.setQueryText(text);
    return this;
  }

  /** How many results, 1..1000 (node default 10). */
  public QueryBuilder k(int k) {
    if (k < 1 || k > MAX_K) {
      throw new IllegalArgumentException("k must be in 1.." + MAX_K + "; got " + k);
    }
    request.setK(k);
    return this;
  }

  /** ANN seeds per result (node default 2). */
  public QueryBuilder expandFactor(int factor) {
    request.setExpandFactor(positive("expandFactor", factor));
    return this;
  }

  /** Only entities of one of these types are returned (applied before the top-k cut). */
  public QueryBuilder entityTypes(String... types) {
    filter.addAllEntityTypes(List.of(types));
    return this;
  }

  /**
   * Only entities with a chunk having this metadata entry (exact equality; all entries must hold).
   */
  public QueryBuilder chunkMetadata(String key, String value) {
    filter.putChunkMetadata(key, value);
    return this;
  }

  /** {@link #chunkMetadata(String, String)} for every entry. */
  public QueryBuilder chunkMetadata(Map<String, String> entries) {
    filter.putAllChunkMetadata(entries);
    return this;
  }

  /** Graph expansion depth from the seeds, 1..4 (node default 2). */
  public QueryBuilder hops(int hops) {
    request.setMaxHops(positive("hops", hops));
    return this;
  }

  /** Only edges with one of these relations are followed (default: all). */
  public QueryBuilder relations(String... relations) {
    request.addAllRelationTypes(List.of(relations));
    return this;
  }

  /** Which edges are followed (node default BOTH). */
  public QueryBuilder direction(TraversalDirection direction) {
    request.setDirection(direction);
    return this;
  }

  /** New neighbours per entity per hop (node default 10). */
  public QueryBuilder maxFanoutPerHop(int fanout) {
    request.setMaxFanoutPerHop(positive("maxFanoutPerHop", fanout));
    return this;
  }

  /** ANN beam width (node default 100). */
  public QueryBuilder ef(int ef) {
    request.setEf(positive("ef", ef));
    return this;
  }

  /**
   * Weights of the unified score {@code vector*v + graph*g + importance*i + recency*r}; each
   * overrides the node's default on its own. Only vector: {@code weights(1, 0, 0, 0)}.
   */
  public QueryBuilder weights(double vector, double graph, double importance, double recency) {
    weights.setVector(vector).setGraph(graph).setImportance(importance).setRecency(recency);
    return this;
  }

  /** Only the vector weight; the others keep the node's defaults. */
  public QueryBuilder vectorWeight(double vector) {
    weights.setVector(vector);
    return this;
  }

  /** How BM25 text retrieval combines with the vector + graph ranking (needs {@link #text}). */
  public QueryBuilder hybrid(HybridMode mode) {
    request.setHybridMode(mode);
    return this;
  }

  /** Weight of the text component in {@link HybridMode#HYBRID_MODE_WEIGHTED} (default 0.5). */
  public QueryBuilder textWeight(double weight) {
    request.setTextWeight(weight);
    return this;
  }

  /**
   * Results carry id, score and score breakdown only, without the full entity (smaller answers when
   * only the explanation or the ids are needed).
   */
  public QueryBuilder idsAndScoresOnly() {
    request.setOmitEntities(true);
    return this;
  }

  /** This query's consistency level (else the client's). */
  public QueryBuilder consistency(ConsistencyLevel level) {
    request.setConsistencyLevel(level);
    return this;
  }

  /** A trace id the node echoes and logs. */
  public QueryBuilder traceId(String traceId) {
    request.setTraceId(traceId);
    return this;
  }

  /** The request as it will be sent. */
  public QueryRequest toRequest() {
    if (request.getQueryVectorCount() == 0 && request.getQueryText().isEmpty()) {
      throw InvalidArgumentException.local("query", "set vector(...) or text(...)");
    }
    var r = request.clone();
    if (filter.getEntityTypesCount() > 0 || filter.getChunkMetadataCount() > 0) {
      r.setFilter(filter.build());
    }
    if (weights.hasVector()
        || weights.hasGraph()
        || weights.hasImportance()
        || weights.hasRecency()) {
      r.setWeights(weights.build());
    }
    return r.build();
  }

  /**
   * Runs the query (retried on {@code UNAVAILABLE}: it only reads).
   *
   * @return results best first, each with its {@code breakdown} (the score's components, hops and
   *     the seed the path started from)
   */
  public List<QueryResult> execute() {
    QueryRequest r = toRequest();
    return AlliClient.call("query", () -> client.stub().query(r)).getResultsList();
  }

  private static int positive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be >= 1; got " + value);
    }
    return value;
  }
}
