package io.allidb.dataplane.cluster.coordinator;

import io.allidb.api.proto.ConsistencyLevel;
import io.allidb.api.proto.Entity;
import io.allidb.dataplane.cluster.ClusterView;
import io.allidb.dataplane.node.EntityStore;
import io.allidb.dataplane.storage.EntityCodec;
import io.allidb.dataplane.storage.ScanPage;
import io.allidb.dataplane.storage.row.HybridLogicalClock;
import io.allidb.dataplane.storage.row.Row;
import io.allidb.dataplane.storage.row.RowKey;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The coordinator of one node: what the public API calls for entity writes, reads and scans, in any
 * node of the cluster. Writes are timestamped here, on this node's hybrid logical clock (the clock
 * of its storage engine, which observes every row it applies, so timestamps stay ahead of what this
 * node has seen), then replicated by {@link WriteCoordinator}; reads go through {@link
 * ReadCoordinator} and scans through {@link ScanCoordinator}.
 *
 * <p>While the ring holds only this node, every call goes straight to the local {@link EntityStore}
 * (no row encoding, no replica bookkeeping): a single node performs as it did before clustering.
 * Thread-safe.
 */
public final class Coordinator {
  private final ClusterView view;
  private final EntityStore store;
  private final HybridLogicalClock clock;
  private final WriteCoordinator writes;
  private final ReadCoordinator reads;
  private final ScanCoordinator scans;
  private final ConsistencyLevel defaultLevel;

  public Coordinator(
      ClusterView view,
      EntityStore store,
      WriteCoordinator writes,
      ReadCoordinator reads,
      ScanCoordinator scans,
      ConsistencyLevel defaultLevel) {
    this.view = view;
    this.store = store;
    this.clock = store.storage().clock();
    this.writes = writes;
    this.reads = reads;
    this.scans = scans;
    this.defaultLevel = defaultLevel;
  }

  /** The level a request asked for, or the server default when it set none. */
  public ConsistencyLevel level(boolean requested, ConsistencyLevel level) {
    return requested ? level : defaultLevel;
  }

  /** Whether this node is the whole ring, so requests are served locally. */
  public boolean isSingleNode() {
    var hosts = view.ring().hostIds();
    return hosts.size() == 1 && hosts.contains(view.localHostId());
  }

  /** Writes an entity (already validated, tenant set) at {@code level}. */
  public void put(String tenant, Entity entity, ConsistencyLevel level) throws IOException {
    putBatch(tenant, List.of(entity), level);
  }

  /** Writes entities at {@code level}: each row reaches its own replicas. */
  public void putBatch(String tenant, List<Entity> entities, ConsistencyLevel level)
      throws IOException {
    if (isSingleNode()) {
      if (entities.size() == 1) {
        store.put(tenant, entities.get(0));
      } else {
        store.putBatch(tenant, entities);
      }
      return;
    }
    var rows = new ArrayList<Row>(entities.size());
    for (Entity e : entities) {
      rows.add(Row.live(RowKey.of(tenant, e.getEntityId()), clock.now(), EntityCodec.encode(e)));
    }
    writes.write(rows, level);
  }

  /** Deletes an entity (a tombstone on every replica) at {@code level}. */
  public void delete(String tenant, String id, ConsistencyLevel level) throws IOException {
    if (isSingleNode()) {
      store.delete(tenant, id);
      return;
    }
    writes.write(List.of(Row.tombstone(RowKey.of(tenant, id), clock.now())), level);
  }

  /** The live entity, or empty when absent, deleted or expired, read at {@code level}. */
  public Optional<Entity> get(String tenant, String id, ConsistencyLevel level) throws IOException {
    if (isSingleNode()) {
      return store.storage().get(tenant, id);
    }
    Optional<Row> row = reads.read(RowKey.of(tenant, id), level);
    if (row.isEmpty() || row.get().isDeletedAt(clock.wallMicros())) {
      return Optional.empty();
    }
    return Optional.of(EntityCodec.decode(row.get().value()));
  }

  /** A page of the tenant's live entities in id order; see {@link ScanCoordinator}. */
  public ScanPage scan(
      String tenant,
      String startId,
      String endId,
      int limit,
      String pageToken,
      ConsistencyLevel level)
      throws IOException {
    if (isSingleNode()) {
      return store.storage().scan(tenant, startId, endId, limit, pageToken);
    }
    return scans.scan(tenant, startId, endId, limit, pageToken, level);
  }
}
