package io.allidb.dataplane.cluster.coordinator;

import io.allidb.api.proto.ConsistencyLevel;
import io.allidb.api.proto.Entity;
import io.allidb.api.proto.QueryRequest;
import io.allidb.dataplane.cluster.ClusterView;
import io.allidb.dataplane.cluster.proto.LocalTextSearchReply;
import io.allidb.dataplane.cluster.proto.LocalTextSearchRequest;
import io.allidb.dataplane.cluster.proto.LocalTextStatsReply;
import io.allidb.dataplane.cluster.proto.LocalTextStatsRequest;
import io.allidb.dataplane.cluster.replica.StoredRows;
import io.allidb.dataplane.cluster.replica.TextStatsMessages;
import io.allidb.dataplane.cluster.ring.TokenRange;
import io.allidb.dataplane.query.hybrid.RingText;
import io.allidb.dataplane.query.hybrid.TextIndex;
import io.allidb.dataplane.query.hybrid.TextIndex.TextHit;
import io.allidb.dataplane.query.hybrid.TextIndex.TextStats;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;

/**
 * BM25 over the ring for the hybrid modes, in two scatters, as Elasticsearch's DFS
 * query-then-fetch:
 *
 * <ol>
 *   <li><b>Statistics.</b> The replicas {@link RangeCover} chooses at ONE (each range exactly once)
 *       count, for the analyzed query terms, the documents of their asked ranges that hold each
 *       term, the documents with text and their total length ({@code LocalTextStats}). Disjoint
 *       ranges add up to the statistics of the tenant's whole data set.
 *   <li><b>Search.</b> The replicas chosen at the query's level search their asked ranges, scoring
 *       with the summed statistics ({@code LocalTextSearch}), and return their best {@code n}. The
 *       coordinator keeps each id once (its best score: replicas of a range at QUORUM return the
 *       same entity) and cuts to {@code n}, best first, ties by id in UTF-8 byte order (the order
 *       Lucene sorts ids in on every replica).
 * </ol>
 *
 * <p>With the ring's statistics a replica scores a document exactly as one node holding all the
 * data would, so the merged ranking is that node's ranking (up to rounding in Lucene's sums).
 * Statistics are read at ONE whatever the query's level: they weigh terms, they are not the data
 * returned, and a replica missing a recent write shifts them by that write only. They count live
 * documents; a single node's own Lucene statistics also count updated and deleted documents until
 * their segments merge, so scores may differ by that until then. Thread-safe.
 */
public final class ClusterTextSearch implements RingText {
  private final ClusterView view;
  private final ReplicaCalls calls;
  private final MultiGet multiGet;
  private final ConsistencyLevel defaultLevel;
  private final Duration timeout;

  public ClusterTextSearch(
      ClusterView view,
      ReplicaCalls calls,
      Coordinator coordinator,
      Duration timeout,
      Clock clock) {
    this.view = view;
    this.calls = calls;
    this.defaultLevel = coordinator.level(false, ConsistencyLevel.CONSISTENCY_ONE);
    this.timeout = timeout;
    this.multiGet = new MultiGet(view, calls, timeout, clock);
  }

  private ConsistencyLevel level(QueryRequest request) {
    return request.hasConsistencyLevel() ? request.getConsistencyLevel() : defaultLevel;
  }

  @Override
  public List<TextHit> search(String tenant, QueryRequest request, int n) throws IOException {
    if (n < 1) {
      return List.of();
    }
    String text = request.getQueryText();
    var statsCover = RangeCover.of(view, ConsistencyLevel.CONSISTENCY_ONE);
    var searchCover = RangeCover.of(view, level(request));

    TextStats stats = TextStats.EMPTY;
    for (LocalTextStatsReply reply :
        scatter(
            statsCover,
            (host, ranges) ->
                calls.localTextStats(
                    host,
                    LocalTextStatsRequest.newBuilder()
                        .setTenant(tenant)
                        .setQueryText(text)
                        .addAllRanges(StoredRows.toProtoRanges(ranges))
                        .build()))) {
      stats = stats.plus(TextStatsMessages.fromProto(reply.getStats()));
    }
    if (stats.docCount() == 0) {
      return List.of(); // the tenant has no text anywhere
    }

    var base =
        LocalTextSearchRequest.newBuilder()
            .setTenant(tenant)
            .setQueryText(text)
            .setLimit(n)
            .setStats(TextStatsMessages.toProto(stats));
    var best = new HashMap<String, Float>();
    for (LocalTextSearchReply reply :
        scatter(
            searchCover,
            (host, ranges) ->
                calls.localTextSearch(
                    host, base.clone().addAllRanges(StoredRows.toProtoRanges(ranges)).build()))) {
      for (var h : reply.getHitsList()) {
        best.merge(h.getId(), h.getScore(), Math::max);
      }
    }
    var hits = new ArrayList<TextHit>(best.size());
    best.forEach((id, score) -> hits.add(new TextHit(id, score)));
    hits.sort(TextIndex.BEST_FIRST);
    return List.copyOf(hits.subList(0, Math.min(n, hits.size())));
  }

  @Override
  public Map<String, Optional<Entity>> entities(
      String tenant, Collection<String> ids, QueryRequest request) throws IOException {
    if (ids.isEmpty()) {
      return Map.of();
    }
    return multiGet.get(tenant, ids, level(request));
  }

  /** Calls every host of the cover, remote ones first so the local call overlaps them. */
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
}
