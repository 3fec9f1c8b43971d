package io.allidb.dataplane.query;

import io.allidb.api.proto.QueryRequest;
import io.allidb.api.proto.TraversalDirection;
import io.allidb.dataplane.index.graph.Direction;
import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A Graph RAG request's search and expansion budget with the server defaults filled in. The local
 * executor and the cluster's scatter/gather executor both plan with this, so a query walks the same
 * budget whichever path answers it.
 *
 * @param seeds ANN candidates taken as expansion seeds
 * @param ef ANN beam width
 * @param maxHops hops of graph expansion
 * @param fanout edges followed per entity per hop
 * @param maxCandidates cap on entities considered (seeds plus expansion)
 * @param traversal the request's {@code allidb.TraversalDirection} number
 * @param relations relation types to follow, sorted; empty = all
 */
public record QueryPlan(
    int seeds,
    int ef,
    int maxHops,
    int fanout,
    int maxCandidates,
    int traversal,
    SortedSet<String> relations) {

  public static QueryPlan of(QueryRequest r, QueryDefaults d) {
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
        Collections.unmodifiableSortedSet(new TreeSet<>(r.getRelationTypesList())));
  }

  /** The graph index's direction; unspecified (and unknown) means both, as in the original. */
  public Direction direction() {
    TraversalDirection d = TraversalDirection.forNumber(traversal);
    if (d == TraversalDirection.TRAVERSAL_DIRECTION_OUTGOING) {
      return Direction.OUTGOING;
    }
    if (d == TraversalDirection.TRAVERSAL_DIRECTION_INCOMING) {
      return Direction.INCOMING;
    }
    return Direction.BOTH;
  }

  /** Whether walking from {@code id} follows the edge {@code from -> to} in the asked direction. */
  public boolean follows(String id, String from, String to) {
    return switch (direction()) {
      case OUTGOING -> from.equals(id);
      case INCOMING -> to.equals(id);
      case BOTH -> from.equals(id) || to.equals(id);
    };
  }
}
