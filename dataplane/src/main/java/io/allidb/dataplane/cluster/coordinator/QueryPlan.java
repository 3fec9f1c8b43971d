package io.allidb.dataplane.cluster.coordinator;

import io.allidb.api.proto.QueryRequest;
import io.allidb.api.proto.TraversalDirection;
import io.allidb.dataplane.cluster.proto.ExpandedEdge;
import io.allidb.dataplane.query.QueryDefaults;
import java.util.List;

/**
 * A request's expansion parameters with the server defaults filled in, computed exactly as {@code
 * GraphRagQueryExecutor.QueryPlan} does (keep the two in step), so a cluster query walks the same
 * budget as a single-node one.
 */
record QueryPlan(
    int seeds,
    int ef,
    int maxHops,
    int fanout,
    int maxCandidates,
    int direction,
    List<String> relations) {

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
        r.getDirectionValue(),
        List.copyOf(r.getRelationTypesList().stream().distinct().sorted().toList()));
  }

  /** Whether walking from {@code id} follows edge {@code e} in the asked direction. */
  boolean follows(String id, ExpandedEdge e) {
    TraversalDirection d = TraversalDirection.forNumber(direction);
    if (d == TraversalDirection.TRAVERSAL_DIRECTION_OUTGOING) {
      return e.getFrom().equals(id);
    }
    if (d == TraversalDirection.TRAVERSAL_DIRECTION_INCOMING) {
      return e.getTo().equals(id);
    }
    return e.getFrom().equals(id) || e.getTo().equals(id);
  }
}
