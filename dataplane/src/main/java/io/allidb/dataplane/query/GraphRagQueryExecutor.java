package io.allidb.dataplane.query;

import io.allidb.api.proto.Entity;
import io.allidb.api.proto.QueryRequest;
import io.allidb.api.proto.QueryResponse;
import io.allidb.api.proto.ScoreBreakdown;
import io.allidb.api.proto.TraversalDirection;
import io.allidb.dataplane.index.graph.Direction;
import io.allidb.dataplane.index.graph.Edge;
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
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
 * <p>Every candidate is read from the storage engine, so deleted or updated entities are never
 * served stale, and only the caller's tenant is ever touched. The same request gives the same
 * answer on every call (ties break by entity id).
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

  private record Scored(
      Candidate candidate, Entity entity, double score, ScoreBreakdown breakdown) {}

  @Override
  public QueryResponse execute(String tenant, QueryRequest request) throws IOException {
    int k = request.getK();
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1; got " + k);
    }
    float[] query = ScoreComponents.toArray(request.getQueryVectorList());
    var plan = QueryPlan.of(request, defaults);
    var weights = defaults.weights().overriddenBy(request.getWeights());
    Instant now = clock.instant();
    long nowNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();

    Map<String, Candidate> candidates = expand(tenant, seeds(tenant, query, plan), plan);
    var entities = new HashMap<String, Optional<Entity>>();
    List<Scored> scored = score(tenant, candidates, query, weights, nowNanos, request, entities);
    if (scored.size() < k && vectors.dimension(tenant).isPresent()) {
      // Too few candidates passed the filter: ask the index for matching direct hits.
      Predicate<String> accepts = id -> matches(tenant, id, request, entities);
      var extra = new LinkedHashMap<String, Candidate>();
      List<VectorHit> direct;
      try {
        direct = vectors.search(tenant, query, k, plan.ef(), accepts);
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
      for (VectorHit hit : direct) {
        if (!candidates.containsKey(hit.entityId())) {
          extra.put(hit.entityId(), new Candidate(hit.entityId(), hit.entityId(), 0, 0));
        }
      }
      scored.addAll(score(tenant, extra, query, weights, nowNanos, request, entities));
    }
    scored.sort(
        Comparator.comparingDouble(Scored::score)
            .reversed()
            .thenComparing(s -> s.candidate().id()));

    var response = QueryResponse.newBuilder().setTraceId(request.getTraceId());
    for (Scored s : scored.subList(0, Math.min(k, scored.size()))) {
      response.addResults(ScoreComponents.result(s.entity(), s.score(), s.breakdown(), request));
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

  private List<Scored> score(
      String tenant,
      Map<String, Candidate> candidates,
      float[] query,
      ScoringWeights w,
      long nowNanos,
      QueryRequest request,
      Map<String, Optional<Entity>> entities)
      throws IOException {
    var out = new ArrayList<Scored>(candidates.size());
    for (Candidate c : candidates.values()) {
      CallDeadline.check();
      Entity e = load(tenant, c.id(), entities).orElse(null);
      if (e == null || !QueryFilters.matches(e, request.getFilter())) {
        continue; // deleted since it was indexed, a dangling edge target, or filtered out
      }
      var b = ScoreComponents.breakdown(e, query, c.graphScore(), c.hops(), c.seed(), nowNanos);
      out.add(new Scored(c, e, ScoreComponents.weighted(b, w), b));
    }
    return out;
  }

  private boolean matches(
      String tenant, String id, QueryRequest request, Map<String, Optional<Entity>> entities) {
    try {
      return load(tenant, id, entities)
          .map(e -> QueryFilters.matches(e, request.getFilter()))
          .orElse(false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Optional<Entity> load(String tenant, String id, Map<String, Optional<Entity>> cache)
      throws IOException {
    Optional<Entity> e = cache.get(id);
    if (e == null) {
      e = storage.get(tenant, id);
      cache.put(id, e);
    }
    return e;
  }

  /** A request's expansion parameters with the server defaults filled in. */
  record QueryPlan(
      int seeds,
      int ef,
      int maxHops,
      int fanout,
      int maxCandidates,
      Direction direction,
      Set<String> relations) {
    static QueryPlan of(QueryRequest r, QueryDefaults d) {
      int expand = r.getExpandFactor() > 0 ? r.getExpandFactor() : d.expandFactor();
      int maxCandidates = d.maxCandidates();
      int seeds = (int) Math.max(r.getK(), Math.min((long) r.getK() * expand, maxCandidates));
      int ef = r.getEf() > 0 ? r.getEf() : Math.max(d.ef(), seeds);
      int hops = r.getMaxHops() > 0 ? Math.min(r.getMaxHops(), d.maxHopsLimit()) : d.maxHops();
      int fanout = r.getMaxFanoutPerHop() > 0 ? r.getMaxFanoutPerHop() : d.fanout();
      return new QueryPlan(
          seeds,
          ef,
          hops,
          fanout,
          maxCandidates,
          direction(r.getDirection()),
          Set.copyOf(r.getRelationTypesList()));
    }

    private static Direction direction(TraversalDirection d) {
      return switch (d) {
        case TRAVERSAL_DIRECTION_OUTGOING -> Direction.OUTGOING;
        case TRAVERSAL_DIRECTION_INCOMING -> Direction.INCOMING;
        default -> Direction.BOTH;
      };
    }
  }
}
