package io.allidb.dataplane.query;

import io.allidb.api.proto.QueryRequest;
import io.allidb.api.proto.QueryResponse;
import java.io.IOException;

/**
 * Runs a vector + graph query for one tenant.
 *
 * <p>The server validates the request and applies its defaults before calling (k, expand factor,
 * the query vector's presence and dimension), so an executor sees {@code k >= 1}; it still rejects
 * what only it can judge with {@link IllegalArgumentException} (the server answers {@code
 * INVALID_ARGUMENT} with the message). Results must belong to {@code tenant} only, be sorted by
 * descending score, hold at most {@code k} entries, and carry a {@code ScoreBreakdown}. Filters
 * apply before the top-k cut, so a query returns k results whenever k matching entities exist.
 *
 * <p>Long loops should call {@link io.allidb.dataplane.util.CallDeadline#check()} so an expired or
 * cancelled call stops.
 *
 * <p>Implementations must be thread-safe: the server calls {@code execute} concurrently.
 */
public interface QueryExecutor {

  /**
   * Executes a query.
   *
   * @param tenant the authenticated tenant; never empty
   * @param request the validated request with server defaults applied
   * @return results, {@code total_results} and the echoed {@code trace_id}
   * @throws IOException when storage cannot be read
   */
  QueryResponse execute(String tenant, QueryRequest request) throws IOException;
}
