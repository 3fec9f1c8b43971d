package io.allidb.dataplane.query;

import io.allidb.api.proto.Entity;
import io.allidb.api.proto.QueryFilter;
import io.allidb.api.proto.QueryRequest;
import io.allidb.api.proto.QueryResponse;
import io.allidb.api.proto.ScoreBreakdown;
import io.allidb.dataplane.index.graph.Edge;
import io.allidb.dataplane.index.graph.EntityAttributes;
import io.allidb.dataplane.index.graph.GraphIndex;
import io.allidb.dataplane.index.vector.VectorHit;
import io.allidb.dataplane.index.vector.VectorIndex;
import io.allidb.dataplane.storage.StorageEngine;
import io.allidb.dataplane.util.CallDeadline;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The Graph RAG query: ANN seeds, bounded graph expansion, the unified score, top-k.
 *
 * <ol>
 *   <li><b>Seeds.</b> The tenant's {@code k * expand_factor} nearest vectors (at most {@code
 *       maxCandidates}) from the {@link VectorIndex}, unfiltered: an entity the filter rejects may
 *       still lead to one it accepts.
 *   <li><b>Expansion.</b> Breadth-first from the seeds in ANN order, up to {@code max_hops}, taking
 *       at most {@code max_fanout_per_hop} new neighbours per entity per hop through edges of the
 *       asked relations and direction ({@link GraphIndex}, deterministic order), until {@code
 *       maxCandidates} entities are known. Each entity keeps the first (shortest, best-seed) path
 *       that reached it.
 *   <li><b>Score.</b> {@link ScoreComponents}: {@code (cos + 1) / 2} of the latest embedding (0
 *       without one), the mean edge weight along the path (1.0 for a seed), {@code
 *       sigmoid(importance)}, {@code exp(-age / 30 days)} at query time; weighted by the request's
 *       weights where given, else the server's ({@link QueryDefaults#weights()}).
 *   <li><b>Filter, then top-k.</b> The filter applies before the cut. When fewer than {@code k}
 *       candidates pass it, a filtered ANN search (the filter runs inside the index search) adds
 *       direct hits, so k results come back whenever k matching entities with vectors exist.
 * </ol>
 *
 * <p><b>No storage reads while scoring.</b> Candidates are scored from what the indexes keep in
 * memory: the vector from {@link VectorIndex#vector}, type, importance and update time from {@link
 * GraphIndex#attributes}. Both are updated by the write path before a write is acknowledged and
 * dropped on delete, so a deleted entity (or a dangling edge target) has no attributes and is
 * skipped, as it would be after a storage read. Storage is read only for the results' full entities
 * (skipped with {@code omit_entities}) and for candidates of a filter on chunk metadata, which the
 * indexes do not keep. Scores and breakdowns equal those of {@link BruteForceQueryExecutor} for the
 * same entities. Only the caller's tenant is ever touched; the same request gives the same answer
 * on every call (ties break by entity id).
 *
 * <p>Thread-safe: holds no mutable state; its collaborators are thread-safe.
 */
public final class GraphRagQueryExecutor implements QueryExecutor {
  private final StorageEngine storage;
  private final VectorIndex vectors;
  private final GraphIndex graph;
  private final QueryDefaults defaults;
  private final Clock clock;

  public GraphRagQueryExecutor(
      StorageEngine storage,
      VectorIndex vectors,
      GraphIndex graph,
      QueryDefaults defaults,
      Clock clock) {
    this.storage = storage;
    this.vectors = vectors;
    this.graph = graph;
    this.defaults = defaults;
    this.clock = clock;
  }

  /** One entity reached by the query and how. */
  private record Candidate(String id, String seed, int hops, double pathWeightSum) {
    double graphScore() {
      return hops == 0 ? 1.0 : Math.max(0, Math.min(1, pathWeightSum / hops));
    }
  }

  /** A candidate's components and score; the protobuf breakdown is built for results only. */
  private record Scored(
      Candidate candidate, double vector, double importance, double recency, double score) {
    ScoreBreakdown breakdown() {
      Candidate c = candidate;
      return ScoreComponents.breakdown(
          vector, c.graphScore(), importance, recency, c.hops(), c.seed());
    }
  }

  private static final Comparator<Scored> BEST_FIRST =
      Comparator.comparingDouble(Scored::score).reversed().thenComparing(s -> s.candidate().id());

  /** One query's inputs, and the entities it read from storage (at most once each). */
  private record Query(
      String tenant,
      QueryRequest request,
      float[] vector,
      ScoringWeights weights,
      long nowNanos,
      Map<String, Optional<Entity>> loaded) {}

  @Override
  public QueryResponse execute(String tenant, QueryRequest request) throws IOException {
    int k = request.getK();
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1; got " + k);
    }
    var plan = QueryPlan.of(request, defaults);
    Instant now = clock.instant();
    var q =
        new Query(
            tenant,
            request,
            ScoreComponents.toArray(request.getQueryVectorList()),
            defaults.weights().overriddenBy(request.getWeights()),
            now.getEpochSecond() * 1_000_000_000L + now.getNano(),
            new HashMap<>());

    Map<String, Candidate> candidates = expand(tenant, seeds(tenant, q.vector(), plan), plan);
    List<Scored> scored = score(q, candidates.values());
    if (scored.size() < k && vectors.dimension(tenant).isPresent()) {
      // Too few candidates passed the filter: ask the index for matching direct hits.
      Predicate<String> accepts = id -> passes(q, id, graph.attributes(tenant, id));
      var extra = new ArrayList<Candidate>();
      List<VectorHit> direct;
      try {
        direct = vectors.search(tenant, q.vector(), k, plan.ef(), accepts);
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
      for (VectorHit hit : direct) {
        if (!candidates.containsKey(hit.entityId())) {
          extra.add(new Candidate(hit.entityId(), hit.entityId(), 0, 0));
        }
      }
      scored.addAll(score(q, extra));
    }
    scored.sort(BEST_FIRST);
    return respond(q, scored, k);
  }

  /** The top k, with full entities unless omitted; an entity deleted meanwhile is passed over. */
  private QueryResponse respond(Query q, List<Scored> scored, int k) throws IOException {
    var response = QueryResponse.newBuilder().setTraceId(q.request().getTraceId());
    boolean withEntities = !q.request().getOmitEntities();
    for (Scored s : scored) {
      if (response.getResultsCount() == k) {
        break;
      }
      String id = s.candidate().id();
      Entity e = withEntities ? load(q, id).orElse(null) : null;
      if (withEntities && e == null) {
        continue;
      }
      response.addResults(ScoreComponents.result(id, e, s.score(), s.breakdown()));
    }
    return response.setTotalResults(response.getResultsCount()).build();
  }

  private List<VectorHit> seeds(String tenant, float[] query, QueryPlan plan) {
    if (vectors.dimension(tenant).isEmpty()) {
      return List.of(); // the tenant has no vectors yet
    }
    return vectors.search(tenant, query, plan.seeds(), plan.ef(), null);
  }

  /** Breadth-first expansion; the map keeps discovery order. */
  private Map<String, Candidate> expand(String tenant, List<VectorHit> seeds, QueryPlan plan) {
    var known = new LinkedHashMap<String, Candidate>();
    var frontier = new ArrayDeque<Candidate>();
    for (VectorHit hit : seeds) {
      var c = new Candidate(hit.entityId(), hit.entityId(), 0, 0);
      if (known.putIfAbsent(c.id(), c) == null) {
        frontier.add(c);
      }
    }
    while (!frontier.isEmpty() && known.size() < plan.maxCandidates()) {
      CallDeadline.check();
      Candidate from = frontier.poll();
      if (from.hops() >= plan.maxHops()) {
        continue;
      }
      List<Edge> edges =
          graph.neighbors(tenant, from.id(), plan.direction(), plan.relations(), Integer.MAX_VALUE);
      int taken = 0;
      for (Edge e : edges) {
        if (taken >= plan.fanout() || known.size() >= plan.maxCandidates()) {
          break;
        }
        String next = e.from().equals(from.id()) ? e.to() : e.from();
        if (known.containsKey(next)) {
          continue;
        }
        double w = Math.max(0, Math.min(1, e.weight()));
        var c = new Candidate(next, from.seed(), from.hops() + 1, from.pathWeightSum() + w);
        known.put(next, c);
        frontier.add(c);
        taken++;
      }
    }
    return known;
  }

  private List<Scored> score(Query q, Collection<Candidate> candidates) {
    var out = new ArrayList<Scored>(candidates.size());
    for (Candidate c : candidates) {
      CallDeadline.check();
      EntityAttributes a = graph.attributes(q.tenant(), c.id());
      if (!passes(q, c.id(), a)) {
        continue; // deleted since it was indexed, a dangling edge target, or filtered out
      }
      float[] v = vectors.vector(q.tenant(), c.id());
      double vector = v == null ? 0 : ScoreComponents.vector(q.vector(), v);
      double importance = ScoreComponents.importance(a.importance());
      double recency = ScoreComponents.recency(a.updatedAtNanos(), q.nowNanos());
      double score =
          ScoreComponents.weighted(vector, c.graphScore(), importance, recency, q.weights());
      out.add(new Scored(c, vector, importance, recency, score));
    }
    return out;
  }

  /** Whether a live entity (non-null attributes) passes the request's filter. */
  private boolean passes(Query q, String id, EntityAttributes a) {
    QueryFilter filter = q.request().getFilter();
    if (a == null || !QueryFilters.matchesType(a.entityType(), filter)) {
      return false;
    }
    if (!QueryFilters.needsChunks(filter)) {
      return true;
    }
    try {
      return load(q, id).map(e -> QueryFilters.matches(e, filter)).orElse(false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Optional<Entity> load(Query q, String id) throws IOException {
    Optional<Entity> e = q.loaded().get(id);
    if (e == null) {
      e = storage.get(q.tenant(), id);
      q.loaded().put(id, e);
    }
    return e;
  }
}
