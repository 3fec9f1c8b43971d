package io.allidb.dataplane.cluster.coordinator;

import com.google.protobuf.InvalidProtocolBufferException;
import io.allidb.api.proto.ConsistencyLevel;
import io.allidb.api.proto.Entity;
import io.allidb.dataplane.cluster.ClusterView;
import io.allidb.dataplane.cluster.proto.ReadRowsReply;
import io.allidb.dataplane.cluster.proto.ReadRowsRequest;
import io.allidb.dataplane.cluster.replica.StoredRows;
import io.allidb.dataplane.cluster.ring.Murmur3Partitioner;
import io.allidb.dataplane.storage.EntityCodec;
import io.allidb.dataplane.storage.row.CorruptRowException;
import io.allidb.dataplane.storage.row.LastWriteWins;
import io.allidb.dataplane.storage.row.Row;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * Reads many entities of one tenant for a query, routed by the ring: one ReadRows call per replica
 * holding some of them. Per key the first live replicas in placement order are asked (one at ONE, a
 * quorum at QUORUM), the same whichever node coordinates, and their rows merge last-write-wins.
 * Queries do not read-repair; point reads do. Thread-safe.
 */
final class MultiGet {
  private final ClusterView view;
  private final ReplicaCalls calls;
  private final Duration timeout;
  private final Clock clock;

  MultiGet(ClusterView view, ReplicaCalls calls, Duration timeout, Clock clock) {
    this.view = view;
    this.calls = calls;
    this.timeout = timeout;
    this.clock = clock;
  }

  /** The live entity of each id (absent ids, deleted or expired entities map to empty). */
  Map<String, Optional<Entity>> get(String tenant, Collection<String> ids, ConsistencyLevel level)
      throws IOException {
    var byHost = new TreeMap<String, ReadRowsRequest.Builder>();
    for (String id : ids) {
      List<String> replicas =
          view.ring().replicasFor(Murmur3Partitioner.token(tenant, id), view.replicationFactor());
      int required = ConsistencyLevels.required(level, replicas.size());
      var alive = new ArrayList<String>();
      var down = new ArrayList<String>();
      for (String h : replicas) {
        (view.isAlive(h) ? alive : down).add(h);
      }
      if (alive.size() < required) {
        throw ConsistencyLevels.unavailable(
            "entity " + tenant + "/" + id, level, required, replicas, down);
      }
      var key =
          io.allidb.dataplane.cluster.proto.RowKey.newBuilder().setTenant(tenant).setId(id).build();
      for (String h : alive.subList(0, required)) {
        byHost.computeIfAbsent(h, x -> ReadRowsRequest.newBuilder()).addKeys(key);
      }
    }
    var futures = new ArrayList<CompletableFuture<ReadRowsReply>>();
    byHost.entrySet().stream()
        .sorted((a, b) -> Boolean.compare(calls.isLocal(a.getKey()), calls.isLocal(b.getKey())))
        .forEach(e -> futures.add(calls.readRows(e.getKey(), e.getValue().build())));
    var newest = new HashMap<String, Row>();
    for (var f : futures) {
      for (var p : Replies.await(f, timeout).getRowsList()) {
        newest.merge(p.getId(), StoredRows.fromProto(p), LastWriteWins::resolve);
      }
    }
    long now = clock.millis() * 1000;
    var out = new HashMap<String, Optional<Entity>>();
    for (String id : ids) {
      Row r = newest.get(id);
      out.put(id, r == null || r.isDeletedAt(now) ? Optional.empty() : Optional.of(decode(r)));
    }
    return out;
  }

  private static Entity decode(Row r) throws IOException {
    try {
      return EntityCodec.decode(r.value());
    } catch (InvalidProtocolBufferException e) {
      throw new CorruptRowException("entity " + r.key() + " does not decode: " + e.getMessage());
    }
  }
}
