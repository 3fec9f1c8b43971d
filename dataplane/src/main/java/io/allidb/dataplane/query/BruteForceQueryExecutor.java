package io.allidb.dataplane.query;

import io.allidb.api.proto.Entity;
import io.allidb.api.proto.QueryRequest;
import io.allidb.api.proto.QueryResponse;
import io.allidb.api.proto.ScoreBreakdown;
import io.allidb.dataplane.storage.ScanPage;
import io.allidb.dataplane.storage.StorageEngine;
import io.allidb.dataplane.util.CallDeadline;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * FALLBACK executor: exact vector search by scanning every entity of the tenant.
 *
 * <p>It exists so the Query RPC is correct before the ANN ({@code index.vector.VectorIndex} over
 * jvector) and graph indexes are wired in; it is O(entities) per query and must not be the
 * production executor. It is also a reference oracle for the indexed executor's tests.
 *
 * <p>Semantics: each live entity of the tenant with at least one embedding of the query's dimension
 * is a direct hit, scored with the original's unified score ({@link ScoreComponents}, weights from
 * the request or {@link ScoringWeights#DEFAULT}); the graph component is 1.0 and hops 0 because
 * there is no expansion here ({@code max_hops}, {@code relation_types}, {@code direction}, {@code
 * max_fanout_per_hop}, {@code expand_factor} and {@code ef} are accepted and ignored). The filter
 * applies before the top-k cut. Ties break by entity id so answers are deterministic.
 *
 * <p>Thread-safe: holds no mutable state; {@link StorageEngine} is thread-safe.
 */
public final class BruteForceQueryExecutor implements QueryExecutor {
  private static final int SCAN_PAGE = 1000;

  private final StorageEngine storage;
  private final Clock clock;

  public BruteForceQueryExecutor(StorageEngine storage, Clock clock) {
    this.storage = storage;
    this.clock = clock;
  }

  @Override
  public QueryResponse execute(String tenant, QueryRequest request) throws IOException {
    int k = request.getK();
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1; got " + k);
    }
    float[] query = ScoreComponents.toArray(request.getQueryVectorList());
    ScoringWeights weights = ScoringWeights.resolve(request.getWeights());
    Instant now = clock.instant();
    long nowNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();

    // min-heap on (score, then reverse id): the head is the current worst of the top k
    Comparator<Hit> worstFirst =
        Comparator.comparingDouble(Hit::score)
            .thenComparing(Hit::entityId, Comparator.reverseOrder());
    var top = new PriorityQueue<Hit>(worstFirst);
    String token = "";
    do {
      CallDeadline.check();
      ScanPage page = storage.scan(tenant, "", "", SCAN_PAGE, token);
      for (Entity e : page.entities()) {
        Hit hit = score(e, query, weights, nowNanos, request);
        if (hit == null) {
          continue;
        }
        top.add(hit);
        if (top.size() > k) {
          top.poll();
        }
      }
      token = page.nextPageToken();
    } while (!token.isEmpty());

    var hits = new ArrayList<>(top);
    hits.sort(worstFirst.reversed());
    var response = QueryResponse.newBuilder().setTraceId(request.getTraceId());
    for (Hit h : hits) {
      response.addResults(ScoreComponents.result(h.entity(), h.score(), h.breakdown(), request));
    }
    return response.setTotalResults(hits.size()).build();
  }

  private static Hit score(
      Entity e, float[] query, ScoringWeights w, long nowNanos, QueryRequest request) {
    if (e.getEmbeddingsCount() == 0 || !QueryFilters.matches(e, request.getFilter())) {
      return null;
    }
    // the latest embedding is the last one, as in the original
    List<Float> latest = e.getEmbeddings(e.getEmbeddingsCount() - 1).getVectorList();
    if (latest.size() != query.length) {
      return null;
    }
    // a direct hit: the original gave path-less candidates the full graph score
    var b = ScoreComponents.breakdown(e, query, 1.0, 0, e.getEntityId(), nowNanos);
    return new Hit(e.getEntityId(), ScoreComponents.weighted(b, w), b, e);
  }

  private record Hit(String entityId, double score, ScoreBreakdown breakdown, Entity entity) {}
}
