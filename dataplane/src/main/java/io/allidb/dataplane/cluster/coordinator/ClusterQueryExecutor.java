package io.allidb.dataplane.cluster.coordinator;

import io.allidb.api.proto.ConsistencyLevel;
import io.allidb.api.proto.Entity;
import io.allidb.api.proto.QueryRequest;
import io.allidb.api.proto.QueryResponse;
import io.allidb.api.proto.ScoreBreakdown;
import io.allidb.dataplane.cluster.ClusterView;
import io.allidb.dataplane.cluster.proto.ExpandedEdge;
import io.allidb.dataplane.cluster.proto.LocalExpandReply;
import io.allidb.dataplane.cluster.proto.LocalExpandRequest;
import io.allidb.dataplane.cluster.proto.LocalSearchReply;
import io.allidb.dataplane.cluster.proto.LocalSearchRequest;
import io.allidb.dataplane.cluster.proto.SearchHit;
import io.allidb.dataplane.cluster.replica.StoredRows;
import io.allidb.dataplane.cluster.ring.TokenRange;
import io.allidb.dataplane.query.QueryDefaults;
import io.allidb.dataplane.query.QueryExecutor;
import io.allidb.dataplane.query.QueryFilters;
import io.allidb.dataplane.query.QueryPlan;
import io.allidb.dataplane.query.ScoreComponents;
import io.allidb.dataplane.query.ScoringWeights;
import io.allidb.dataplane.util.CallDeadline;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The Graph RAG query over the cluster, with the single-node executor's semantics (ANN seeds,
 * breadth-first expansion with a per-entity fan-out cap and a candidate budget, the unified score
 * of {@link ScoreComponents}, filter before top-k, ties by id), scattered over the ring:
 *
 * <ol>
 *   <li><b>Seeds.</b> Each replica chosen by {@link RangeCover} (every range once at ONE, a quorum
 *       of replicas per range at QUORUM) runs {@code LocalSearch} restricted to its ranges; hits
 *       merge by similarity (ties by id), deduplicated, cut to the seed count.
 *   <li><b>Expansion,</b> one hop at a time: the frontier goes to every chosen replica, which
 *       returns the edges whose source it holds in its ranges ({@code LocalExpand}). Per entity the
 *       edges are ordered as the local graph index orders them (weight descending, other end,
 *       relation, source) and taken in frontier order, so the walk is the local executor's BFS.
 *       Each replica returns up to {@code fanout + known candidates} edges per entity, enough for
 *       the fan-out cap to skip every already-known neighbour.
 *   <li><b>Score.</b> Candidates are read with {@link MultiGet} at the query's level, filtered and
 *       scored; when fewer than k pass the filter, a filtered {@code LocalSearch} adds direct hits,
 *       as the local executor does.
 * </ol>
 *
 * <p>Replicas are chosen by ring order, never by which node coordinates, so the same query with the
 * same liveness view returns the same results through every node. While the ring holds only this
 * node the local executor answers (no scatter, no copies). Thread-safe.
 */
public final class ClusterQueryExecutor implements QueryExecutor {
  private final ClusterView view;
  private final ReplicaCalls calls;
  private final MultiGet multiGet;
  private final QueryExecutor local;
  private final Supplier<Boolean> singleNode;
  private final QueryDefaults defaults;
  private final ConsistencyLevel defaultLevel;
  private final Duration timeout;
  private final Clock clock;

  /**
   * @param local the executor over this node's indexes, used while the ring is this node alone
   */
  public ClusterQueryExecutor(
      ClusterView view,
      ReplicaCalls calls,
      QueryExecutor local,
      Coordinator coordinator,
      QueryDefaults defaults,
      Duration timeout,
      Clock clock) {
    this.view = view;
    this.calls = calls;
    this.local = local;
    this.singleNode = coordinator::isSingleNode;
    this.defaults = defaults;
    this.defaultLevel = coordinator.level(false, ConsistencyLevel.CONSISTENCY_ONE);
    this.timeout = timeout;
    this.clock = clock;
    this.multiGet = new MultiGet(view, calls, timeout, clock);
  }

  private record Candidate(String id, String seed, int hops, double pathWeightSum) {
    double graphScore() {
      return hops == 0 ? 1.0 : Math.max(0, Math.min(1, pathWeightSum / hops));
    }
  }

  private record Scored(Candidate c, Entity entity, double score, ScoreBreakdown breakdown) {}

  @Override
  public QueryResponse execute(String tenant, QueryRequest request) throws IOException {
    if (singleNode.get()) {
      return local.execute(tenant, request);
    }
    int k = request.getK();
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1; got " + k);
    }
    ConsistencyLevel level =
        request.hasConsistencyLevel() ? request.getConsistencyLevel() : defaultLevel;
    var cover = RangeCover.of(view, level);
    var plan = QueryPlan.of(request, defaults);
    var weights = defaults.weights().overriddenBy(request.getWeights());
    float[] query = ScoreComponents.toArray(request.getQueryVectorList());
    Instant now = clock.instant();
    long nowNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();

    var search = LocalSearchRequest.newBuilder().setTenant(tenant);
    search.addAllVector(request.getQueryVectorList()).setEf(plan.ef());
    List<String> seeds = search(cover, search.clone().setLimit(plan.seeds()).build(), plan.seeds());
    Map<String, Candidate> candidates = expand(tenant, cover, seeds, plan);
    var entities = new HashMap<>(multiGet.get(tenant, candidates.keySet(), level));
    List<Scored> scored = score(candidates, entities, query, weights, nowNanos, request);
    if (scored.size() < k) {
      var filtered = search.clone().setLimit(k).setFilter(request.getFilter().toByteString());
      var extra = new LinkedHashMap<String, Candidate>();
      for (String id : search(cover, filtered.build(), k)) {
        if (!candidates.containsKey(id)) {
          extra.put(id, new Candidate(id, id, 0, 0));
        }
      }
      entities.putAll(multiGet.get(tenant, extra.keySet(), level));
      scored.addAll(score(extra, entities, query, weights, nowNanos, request));
    }
    scored.sort(
        Comparator.comparingDouble(Scored::score).reversed().thenComparing(s -> s.c().id()));
    var response = QueryResponse.newBuilder().setTraceId(request.getTraceId());
    for (Scored s : scored.subList(0, Math.min(k, scored.size()))) {
      response.addResults(ScoreComponents.result(s.entity(), s.score(), s.breakdown(), request));
    }
    return response.setTotalResults(response.getResultsCount()).build();
  }

  /** Scatters a search over the cover; the best {@code limit} distinct ids, best first. */
  private List<String> search(
      Map<String, List<TokenRange>> cover, LocalSearchRequest base, int limit) throws IOException {
    var best = new HashMap<String, Float>();
    for (LocalSearchReply reply :
        scatter(cover, (host, ranges) -> calls.localSearch(host, withRanges(base, ranges)))) {
      for (SearchHit h : reply.getHitsList()) {
        best.merge(h.getId(), h.getSimilarity(), Math::max);
      }
    }
    return best.entrySet().stream()
        .sorted(
            Map.Entry.<String, Float>comparingByValue()
                .reversed()
                .thenComparing(Map.Entry.comparingByKey()))
        .limit(limit)
        .map(Map.Entry::getKey)
        .toList();
  }

  private static LocalSearchRequest withRanges(LocalSearchRequest base, List<TokenRange> ranges) {
    return base.toBuilder().addAllRanges(StoredRows.toProtoRanges(ranges)).build();
  }

  private <R> List<R> scatter(
      Map<String, List<TokenRange>> cover,
      BiFunction<String, List<TokenRange>, CompletableFuture<R>> call)
      throws IOException {
    var futures = new ArrayList<CompletableFuture<R>>();
    cover.entrySet().stream()
        .sorted((a, b) -> Boolean.compare(calls.isLocal(a.getKey()), calls.isLocal(b.getKey())))
        .forEach(e -> futures.add(call.apply(e.getKey(), e.getValue())));
    var out = new ArrayList<R>(futures.size());
    for (var f : futures) {
      out.add(Replies.await(f, timeout));
    }
    return out;
  }

  /** Breadth-first expansion, hop by hop; the map keeps discovery order. */
  private Map<String, Candidate> expand(
      String tenant, Map<String, List<TokenRange>> cover, List<String> seeds, QueryPlan plan)
      throws IOException {
    var known = new LinkedHashMap<String, Candidate>();
    var frontier = new ArrayList<Candidate>();
    for (String id : seeds) {
      var c = new Candidate(id, id, 0, 0);
      known.put(id, c);
      frontier.add(c);
    }
    for (int hop = 0; hop < plan.maxHops() && !frontier.isEmpty(); hop++) {
      if (known.size() >= plan.maxCandidates()) {
        break;
      }
      CallDeadline.check();
      Map<String, List<ExpandedEdge>> edges = neighbours(tenant, cover, frontier, plan, known);
      var next = new ArrayList<Candidate>();
      for (Candidate from : frontier) {
        if (known.size() >= plan.maxCandidates()) {
          break;
        }
        int taken = 0;
        for (ExpandedEdge e : edges.getOrDefault(from.id(), List.of())) {
          if (taken >= plan.fanout() || known.size() >= plan.maxCandidates()) {
            break;
          }
          String other = e.getFrom().equals(from.id()) ? e.getTo() : e.getFrom();
          if (known.containsKey(other)) {
            continue;
          }
          double w = Math.max(0, Math.min(1, e.getWeight()));
          var c = new Candidate(other, from.seed(), from.hops() + 1, from.pathWeightSum() + w);
          known.put(other, c);
          next.add(c);
          taken++;
        }
      }
      frontier = next;
    }
    return known;
  }

  /** The frontier's edges from every chosen replica, per entity in the graph index's order. */
  private Map<String, List<ExpandedEdge>> neighbours(
      String tenant,
      Map<String, List<TokenRange>> cover,
      List<Candidate> frontier,
      QueryPlan plan,
      Map<String, Candidate> known)
      throws IOException {
    var base =
        LocalExpandRequest.newBuilder()
            .setTenant(tenant)
            .addAllRelationTypes(plan.relations())
            .setDirection(plan.traversal())
            .setMaxFanout((int) Math.min(Integer.MAX_VALUE, (long) plan.fanout() + known.size()));
    frontier.forEach(c -> base.addFrontier(c.id()));
    var unique = new HashMap<String, Map<List<String>, ExpandedEdge>>();
    for (LocalExpandReply reply :
        scatter(
            cover,
            (host, ranges) ->
                calls.localExpand(
                    host, base.clone().addAllRanges(StoredRows.toProtoRanges(ranges)).build()))) {
      for (ExpandedEdge e : reply.getEdgesList()) {
        // an edge seen from both ends, or from several replicas at QUORUM: keep one, the heaviest
        var key = List.of(e.getFrom(), e.getTo(), e.getRelationType());
        for (String end : List.of(e.getFrom(), e.getTo())) {
          unique
              .computeIfAbsent(end, x -> new HashMap<>())
              .merge(key, e, (a, b) -> a.getWeight() >= b.getWeight() ? a : b);
        }
      }
    }
    var out = new HashMap<String, List<ExpandedEdge>>();
    for (Candidate c : frontier) {
      var list = new ArrayList<>(unique.getOrDefault(c.id(), Map.of()).values());
      list.removeIf(e -> !plan.follows(c.id(), e.getFrom(), e.getTo()));
      list.sort(order(c.id()));
      out.put(c.id(), list);
    }
    return out;
  }

  /** {@code InMemoryGraphIndex}'s neighbour order: weight desc, other end, relation, source. */
  private static Comparator<ExpandedEdge> order(String id) {
    return Comparator.comparingDouble(ExpandedEdge::getWeight)
        .reversed()
        .thenComparing((ExpandedEdge e) -> e.getFrom().equals(id) ? e.getTo() : e.getFrom())
        .thenComparing(ExpandedEdge::getRelationType)
        .thenComparing(ExpandedEdge::getFrom);
  }

  private List<Scored> score(
      Map<String, Candidate> candidates,
      Map<String, Optional<Entity>> entities,
      float[] query,
      ScoringWeights w,
      long nowNanos,
      QueryRequest request) {
    var out = new ArrayList<Scored>(candidates.size());
    for (Candidate c : candidates.values()) {
      Entity e = entities.getOrDefault(c.id(), Optional.empty()).orElse(null);
      if (e == null || !QueryFilters.matches(e, request.getFilter())) {
        continue; // deleted, a dangling edge target, or filtered out
      }
      var b = ScoreComponents.breakdown(e, query, c.graphScore(), c.hops(), c.seed(), nowNanos);
      out.add(new Scored(c, e, ScoreComponents.weighted(b, w), b));
    }
    return out;
  }
}
