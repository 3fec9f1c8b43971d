/**
 * Query execution: the {@link io.allidb.dataplane.query.QueryExecutor} seam the Query RPC calls,
 * the unified score ({@link io.allidb.dataplane.query.ScoreComponents}, {@link
 * io.allidb.dataplane.query.ScoringWeights}), filters, and the brute-force fallback executor used
 * until the ANN + graph executor is wired in. Algorithm: spec section 3.5 and TARGET.md "Query
 * path".
 */
package io.allidb.dataplane.query;
