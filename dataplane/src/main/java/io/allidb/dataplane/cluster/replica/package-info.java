/**
 * The replica side of the internode data RPCs: applying coordinator-timestamped rows
 * last-write-wins, reads with digests, and the per-node halves of queries and scans restricted to
 * token ranges.
 */
package io.allidb.dataplane.cluster.replica;
