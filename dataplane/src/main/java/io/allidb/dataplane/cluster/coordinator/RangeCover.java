package io.allidb.dataplane.cluster.coordinator;

import io.allidb.api.proto.ConsistencyLevel;
import io.allidb.dataplane.cluster.ClusterView;
import io.allidb.dataplane.cluster.ring.TokenRange;
import io.allidb.dataplane.cluster.ring.TokenRing;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which live replicas answer for which token ranges in a scatter (query or scan): every range of
 * the ring once at ONE, or by a quorum (all) of its replicas at QUORUM (ALL).
 *
 * <p>The choice depends only on the ring and the liveness view: per range, the first live replicas
 * in ring (placement) order, never "this node first". So two coordinators with the same view ask
 * the same replicas and get the same answer, which is what makes a query's results independent of
 * the node that received it.
 */
final class RangeCover {
  private RangeCover() {}

  /**
   * Host to the ranges it answers for, in host order.
   *
   * @throws io.grpc.StatusRuntimeException UNAVAILABLE naming the first range without enough live
   *     replicas
   */
  static Map<String, List<TokenRange>> of(ClusterView view, ConsistencyLevel level) {
    TokenRing ring = view.ring();
    var out = new TreeMap<String, List<TokenRange>>();
    for (TokenRange range : ring.ranges()) {
      List<String> replicas = ring.replicasFor(range.end(), view.replicationFactor());
      int required = ConsistencyLevels.required(level, replicas.size());
      var alive = new ArrayList<String>();
      var down = new ArrayList<String>();
      for (String h : replicas) {
        (view.isAlive(h) ? alive : down).add(h);
      }
      if (alive.size() < required) {
        throw ConsistencyLevels.unavailable(
            "token range " + range, level, required, replicas, down);
      }
      for (String h : alive.subList(0, required)) {
        out.computeIfAbsent(h, k -> new ArrayList<>()).add(range);
      }
    }
    return out;
  }
}
