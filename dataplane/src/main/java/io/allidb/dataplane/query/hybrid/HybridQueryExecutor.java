package io.allidb.dataplane.query.hybrid;

import io.allidb.api.proto.Entity;
import io.allidb.api.proto.HybridMode;
import io.allidb.api.proto.QueryRequest;
import io.allidb.api.proto.QueryResponse;
import io.allidb.api.proto.QueryResult;
import io.allidb.api.proto.ScoreBreakdown;
import io.allidb.dataplane.index.graph.EntityAttributes;
import io.allidb.dataplane.index.graph.GraphIndex;
import io.allidb.dataplane.index.vector.VectorIndex;
import io.allidb.dataplane.query.QueryDefaults;
import io.allidb.dataplane.query.QueryExecutor;
import io.allidb.dataplane.query.QueryFilters;
import io.allidb.dataplane.query.ScoreComponents;
import io.allidb.dataplane.query.ScoringWeights;
import io.allidb.dataplane.query.hybrid.TextIndex.TextHit;
import io.allidb.dataplane.storage.StorageEngine;
import io.allidb.dataplane.util.CallDeadline;
import io.grpc.Status;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Hybrid retrieval: the vector + graph ranking of the wrapped executor fused with BM25 over chunk
 * text ({@link TextIndex}), as the request's {@code hybrid_mode} asks.
 *
 * <ol>
 *   <li>The wrapped executor ranks a pool of {@code k * expand_factor} candidates (at most the
 *       server's candidate budget) by the unified score, ids and breakdowns only.
 *   <li>BM25 ranks the same number of the tenant's entities for {@code query_text}. An entity found
 *       by text alone is scored as a direct hit (graph 1.0, 0 hops, its own seed) from the indexes,
 *       after the request's filter.
 *   <li>Each candidate's breakdown gains {@code text} (its BM25 over the query's best, in [0, 1])
 *       and {@code text_rank}. {@link HybridMode#HYBRID_MODE_RRF}: the score is {@code 1 / (rrf_k +
 *       vector rank) + 1 / (rrf_k + text rank)}, a missing rank adding 0 (Cormack et al., rrf_k
 *       60). {@link HybridMode#HYBRID_MODE_WEIGHTED}: the unified score plus {@code text_weight *
 *       text}.
 *   <li>Best first (ties by id), top k, full entities unless omitted.
 * </ol>
 *
 * <p>RRF needs no tuning and is robust to the different scales of the two rankings; weighted mode
 * keeps the unified score's meaning and lets a caller dial text in.
 *
 * <p>While the ring is this node alone, BM25, direct hits and entities come from this node's
 * indexes and storage. In a multi-node ring the wrapped executor is the cluster's, and BM25 hits
 * and entities come from {@link RingText} (a statistics-then-search scatter over one replica per
 * token range, entities at the query's consistency level); a text-only hit is then scored from the
 * entity as read, which is what the local indexes hold for it. The fusion is the same code either
 * way. Thread-safe.
 */
public final class HybridQueryExecutor implements QueryExecutor {
  public static final int DEFAULT_RRF_K = 60;
  public static final double DEFAULT_TEXT_WEIGHT = 0.5;

  private final QueryExecutor inner;
  private final StorageEngine storage;
  private final VectorIndex vectors;
  private final GraphIndex graph;
  private final TextIndex text;
  private final QueryDefaults defaults;
  private final Clock clock;
  private final BooleanSupplier singleNode;
  private final RingText ring;

  /**
   * @param ring BM25 and entities over the ring, used while {@code singleNode} is false; null
   *     refuses the hybrid modes there ({@code FAILED_PRECONDITION})
   */
  public HybridQueryExecutor(
      QueryExecutor inner,
      StorageEngine storage,
      VectorIndex vectors,
      GraphIndex graph,
      TextIndex text,
      QueryDefaults defaults,
      Clock clock,
      BooleanSupplier singleNode,
      RingText ring) {
    this.inner = inner;
    this.storage = storage;
    this.vectors = vectors;
    this.graph = graph;
    this.text = text;
    this.defaults = defaults;
    this.clock = clock;
    this.singleNode = singleNode;
    this.ring = ring;
  }

  /** The mode a request asks for: UNSPECIFIED is RRF with query text, vector-only without. */
  public static HybridMode mode(QueryRequest r) {
    HybridMode m = r.getHybridMode();
    if (m == HybridMode.HYBRID_MODE_UNSPECIFIED || m == HybridMode.UNRECOGNIZED) {
      return r.getQueryText().isBlank()
          ? HybridMode.HYBRID_MODE_VECTOR_ONLY
          : HybridMode.HYBRID_MODE_RRF;
    }
    return m;
  }

  private static final class Fused {
    final String id;
    ScoreBreakdown.Builder breakdown;
    double unified;
    int vectorRank;
    int textRank;
    double text;
    double score;

    Fused(String id) {
      this.id = id;
    }
  }

  @Override
  public QueryResponse execute(String tenant, QueryRequest request) throws IOException {
    HybridMode mode = mode(request);
    if (mode == HybridMode.HYBRID_MODE_VECTOR_ONLY) {
      return inner.execute(tenant, request);
    }
    if (request.getQueryText().isBlank()) {
      throw new IllegalArgumentException(mode + " needs query_text (the BM25 query)");
    }
    RingText distributed = singleNode.getAsBoolean() ? null : ring;
    if (distributed == null && !singleNode.getAsBoolean()) {
      throw Status.FAILED_PRECONDITION
          .withDescription(
              mode
                  + " needs the ring's text search, which this executor was built without; use"
                  + " HYBRID_MODE_VECTOR_ONLY (query_text is still embedded)")
          .asRuntimeException();
    }
    if (request.getRrfK() < 0) {
      throw new IllegalArgumentException("rrf_k must be >= 0; got " + request.getRrfK());
    }
    double textWeight = request.hasTextWeight() ? request.getTextWeight() : DEFAULT_TEXT_WEIGHT;
    if (!Double.isFinite(textWeight) || textWeight < 0) {
      throw new IllegalArgumentException("text_weight must be >= 0; got " + textWeight);
    }
    int k = request.getK();
    int expand =
        request.getExpandFactor() > 0 ? request.getExpandFactor() : defaults.expandFactor();
    int pool = (int) Math.max(k, Math.min((long) k * expand, defaults.maxCandidates()));

    QueryResponse ranked =
        inner.execute(tenant, request.toBuilder().setK(pool).setOmitEntities(true).build());
    List<TextHit> hits =
        distributed == null
            ? text.search(tenant, request.getQueryText(), pool)
            : distributed.search(tenant, request, pool);

    var fused = new LinkedHashMap<String, Fused>();
    int rank = 1;
    for (QueryResult r : ranked.getResultsList()) {
      var f = new Fused(r.getEntityId());
      f.breakdown = r.getBreakdown().toBuilder();
      f.unified = r.getScore();
      f.vectorRank = rank++;
      fused.put(f.id, f);
    }
    float best = hits.isEmpty() ? 0 : hits.get(0).score();
    var loaded = new HashMap<String, Optional<Entity>>();
    if (distributed != null) { // the text-only hits' entities, in one read
      var textOnly = new ArrayList<String>();
      hits.forEach(
          h -> {
            if (!fused.containsKey(h.entityId())) {
              textOnly.add(h.entityId());
            }
          });
      loaded.putAll(distributed.entities(tenant, textOnly, request));
    }
    var weights = defaults.weights().overriddenBy(request.getWeights());
    float[] query = ScoreComponents.toArray(request.getQueryVectorList());
    long now = nowNanos();
    rank = 1;
    for (TextHit h : hits) {
      CallDeadline.check();
      Fused f = fused.get(h.entityId());
      if (f == null) {
        f =
            distributed == null
                ? directHit(tenant, request, h.entityId(), query, weights, now, loaded)
                : directHit(request, loaded.get(h.entityId()), query, weights, now);
        if (f == null) {
          continue; // filtered out, or deleted since the text index saw it
        }
        fused.put(f.id, f);
      }
      f.textRank = rank++;
      f.text = best > 0 ? Math.min(1, h.score() / best) : 0;
    }

    int rrfK = request.getRrfK() > 0 ? request.getRrfK() : DEFAULT_RRF_K;
    for (Fused f : fused.values()) {
      f.breakdown.setText(f.text).setTextRank(f.textRank);
      f.score =
          mode == HybridMode.HYBRID_MODE_WEIGHTED
              ? f.unified + textWeight * f.text
              : reciprocal(rrfK, f.vectorRank) + reciprocal(rrfK, f.textRank);
    }
    var order = new ArrayList<>(fused.values());
    order.sort(
        Comparator.comparingDouble((Fused f) -> f.score).reversed().thenComparing(f -> f.id));
    if (distributed != null && !request.getOmitEntities()) { // the top k's entities, in one read
      var missing = new ArrayList<String>();
      for (Fused f : order.subList(0, Math.min(k, order.size()))) {
        if (!loaded.containsKey(f.id)) {
          missing.add(f.id);
        }
      }
      var read = distributed.entities(tenant, missing, request);
      missing.forEach(id -> loaded.put(id, read.getOrDefault(id, Optional.empty())));
    }
    return respond(tenant, request, order, k, loaded, distributed);
  }

  private static double reciprocal(int rrfK, int rank) {
    return rank == 0 ? 0 : 1.0 / (rrfK + rank);
  }

  /** A text-only hit scored as a direct hit, or null when it fails the filter or is gone. */
  private Fused directHit(
      String tenant,
      QueryRequest request,
      String id,
      float[] query,
      ScoringWeights weights,
      long now,
      Map<String, Optional<Entity>> loaded)
      throws IOException {
    EntityAttributes a = graph.attributes(tenant, id);
    if (a == null || !QueryFilters.matchesType(a.entityType(), request.getFilter())) {
      return null;
    }
    if (QueryFilters.needsChunks(request.getFilter())
        && !load(tenant, id, loaded)
            .map(e -> QueryFilters.matches(e, request.getFilter()))
            .orElse(false)) {
      return null;
    }
    float[] v = vectors.vector(tenant, id);
    double vector = v == null || query.length == 0 ? 0 : ScoreComponents.vector(query, v);
    double importance = ScoreComponents.importance(a.importance());
    double recency = ScoreComponents.recency(a.updatedAtNanos(), now);
    var f = new Fused(id);
    f.breakdown = ScoreComponents.breakdown(vector, 1.0, importance, recency, 0, id).toBuilder();
    f.unified = ScoreComponents.weighted(vector, 1.0, importance, recency, weights);
    return f;
  }

  /** A text-only hit read from the ring, scored as a direct hit; null: filtered out or gone. */
  private static Fused directHit(
      QueryRequest request,
      Optional<Entity> entity,
      float[] query,
      ScoringWeights weights,
      long now) {
    Entity e = entity == null ? null : entity.orElse(null);
    if (e == null || !QueryFilters.matches(e, request.getFilter())) {
      return null;
    }
    var f = new Fused(e.getEntityId());
    ScoreBreakdown b = ScoreComponents.breakdown(e, query, 1.0, 0, e.getEntityId(), now);
    f.breakdown = b.toBuilder();
    f.unified = ScoreComponents.weighted(b, weights);
    return f;
  }

  private QueryResponse respond(
      String tenant,
      QueryRequest request,
      List<Fused> order,
      int k,
      Map<String, Optional<Entity>> loaded,
      RingText distributed)
      throws IOException {
    var response = QueryResponse.newBuilder().setTraceId(request.getTraceId());
    boolean withEntities = !request.getOmitEntities();
    for (Fused f : order) {
      if (response.getResultsCount() == k) {
        break;
      }
      if (withEntities && distributed != null && !loaded.containsKey(f.id)) {
        // past the prefetched top k (one of it was deleted meanwhile): read this one from the ring
        loaded.put(
            f.id,
            distributed
                .entities(tenant, List.of(f.id), request)
                .getOrDefault(f.id, Optional.empty()));
      }
      Entity e = withEntities ? load(tenant, f.id, loaded).orElse(null) : null;
      if (withEntities && e == null) {
        continue; // deleted meanwhile
      }
      response.addResults(ScoreComponents.result(f.id, e, f.score, f.breakdown.build()));
    }
    return response.setTotalResults(response.getResultsCount()).build();
  }

  private Optional<Entity> load(String tenant, String id, Map<String, Optional<Entity>> loaded)
      throws IOException {
    Optional<Entity> e = loaded.get(id);
    if (e == null) {
      e = storage.get(tenant, id);
      loaded.put(id, e);
    }
    return e;
  }

  private long nowNanos() {
    Instant now = clock.instant();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }
}
