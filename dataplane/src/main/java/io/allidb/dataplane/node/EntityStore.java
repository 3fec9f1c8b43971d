package io.allidb.dataplane.node;

import com.google.protobuf.InvalidProtocolBufferException;
import io.allidb.api.proto.Entity;
import io.allidb.dataplane.index.EntityIndexer;
import io.allidb.dataplane.index.graph.GraphIndex;
import io.allidb.dataplane.index.graph.InMemoryGraphIndex;
import io.allidb.dataplane.index.vector.JVectorIndex;
import io.allidb.dataplane.index.vector.VectorIndex;
import io.allidb.dataplane.index.vector.VectorIndexOptions;
import io.allidb.dataplane.index.vector.VectorSnapshotFormat;
import io.allidb.dataplane.query.hybrid.TextIndex;
import io.allidb.dataplane.storage.EntityCodec;
import io.allidb.dataplane.storage.StorageEngine;
import io.allidb.dataplane.storage.StorageOptions;
import io.allidb.dataplane.storage.row.LastWriteWins;
import io.allidb.dataplane.storage.row.Row;
import io.allidb.dataplane.storage.row.RowKey;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's entities: the storage engine (the data of record) plus the vector, graph and text (BM25,
 * {@link TextIndex}) indexes kept in step with it; the text index is in memory and rebuilt at open.
 *
 * <p>Writes go to storage first, then to the indexes, and return only when both are done: an
 * acknowledged write is durable (per the storage durability mode) <em>and</em> visible to the next
 * query. Writes of the same key are serialized by a striped lock around both steps, so the indexes
 * apply them in timestamp order and always hold the version storage would return. A vector whose
 * dimension differs from the tenant's is rejected before anything is written.
 *
 * <p>At open the vector index is loaded from the snapshot the last clean close wrote ({@link
 * VectorSnapshotFormat}, in the data directory) and both indexes are reconciled with storage (see
 * {@link EntityIndexer#rebuild}): only entities whose vector differs from the snapshot's are
 * inserted, so a restart after a clean close takes seconds instead of a full rebuild (ADR 0002).
 *
 * <p>Replicas receive rows the coordinator already timestamped ({@link #apply}): the row reaches
 * storage and the indexes only when it beats the stored version under {@link LastWriteWins}, so
 * rows arriving out of order (a hint replayed after a newer write, a read repair racing a write)
 * never roll an index back.
 *
 * <p>Thread-safe.
 */
public final class EntityStore implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(EntityStore.class);
  private static final int STRIPES = 256;

  private final StorageEngine storage;
  private final JVectorIndex vectors;
  private final GraphIndex graph;
  private final TextIndex text = new TextIndex();
  private final EntityIndexer indexer;
  private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
  private final Path snapshot;

  private EntityStore(
      StorageEngine storage, JVectorIndex vectors, GraphIndex graph, Path snapshot) {
    this.storage = storage;
    this.snapshot = snapshot;
    this.vectors = vectors;
    this.graph = graph;
    this.indexer = new EntityIndexer(vectors, graph, text);
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new ReentrantLock();
    }
  }

  /** Opens storage, loads the vector index snapshot and reconciles the indexes with storage. */
  public static EntityStore open(StorageOptions storageOptions, VectorIndexOptions vectorOptions)
      throws IOException {
    StorageEngine storage = StorageEngine.open(storageOptions);
    Path snapshot = storageOptions.dataDir().resolve(VectorSnapshotFormat.FILE_NAME);
    JVectorIndex vectors = JVectorIndex.open(vectorOptions, snapshot);
    try {
      var store = new EntityStore(storage, vectors, new InMemoryGraphIndex(), snapshot);
      var stats = store.indexer.rebuild(storage);
      logger.info("indexes ready: {}", stats);
      return store;
    } catch (IOException | RuntimeException e) {
      vectors.close();
      storage.close();
      throw e;
    }
  }

  /** Stores an entity and indexes it; returns its write timestamp. */
  public long put(String tenant, Entity entity) throws IOException {
    ReentrantLock lock = stripe(tenant, entity.getEntityId());
    lock.lock();
    try {
      checkVector(tenant, entity, dimension(tenant));
      long ts = storage.put(tenant, entity);
      indexer.index(tenant, entity);
      return ts;
    } finally {
      lock.unlock();
    }
  }

  /** Stores entities atomically and indexes them; returns the greatest write timestamp. */
  public long putBatch(String tenant, List<Entity> entities) throws IOException {
    var locks = new TreeSet<Integer>();
    for (Entity e : entities) {
      locks.add(stripeIndex(tenant, e.getEntityId()));
    }
    locks.forEach(i -> stripes[i].lock()); // ascending order: no deadlock between batches
    try {
      OptionalInt dim = dimension(tenant);
      for (Entity e : entities) {
        dim = checkVector(tenant, e, dim);
      }
      long ts = storage.putBatch(tenant, entities);
      for (Entity e : entities) {
        indexer.index(tenant, e);
      }
      return ts;
    } finally {
      locks.descendingSet().forEach(i -> stripes[i].unlock());
    }
  }

  /** Deletes an entity from storage and the indexes; returns the tombstone's timestamp. */
  public long delete(String tenant, String id) throws IOException {
    ReentrantLock lock = stripe(tenant, id);
    lock.lock();
    try {
      long ts = storage.delete(tenant, id);
      indexer.remove(tenant, id);
      return ts;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Applies rows that already carry their timestamps (replica writes, hints, read repair), keeping
   * the indexes on the last-write-wins winner. A row that does not beat the stored version of its
   * key (older, or identical) changes nothing; among rows of one key in {@code rows} only the
   * winner counts. Winners are written as one atomic storage batch.
   *
   * <p>A live row whose vector the tenant's index refuses (another dimension: two coordinators
   * raced the tenant's first vectors) is still stored, since storage is the data of record; it is
   * indexed without its vector and logged.
   *
   * @return how many rows won and were applied
   * @throws IllegalArgumentException when a live row's value is not an entity of the row's tenant;
   *     nothing was written then
   */
  public int apply(List<Row> rows) throws IOException {
    var latest = new LinkedHashMap<RowKey, Row>();
    for (Row r : rows) {
      latest.merge(r.key(), r, LastWriteWins::resolve);
    }
    var decoded = new LinkedHashMap<RowKey, Entity>();
    for (Row r : latest.values()) {
      if (!r.tombstone()) {
        decoded.put(r.key(), decodeForApply(r));
      }
    }
    var locks = new TreeSet<Integer>();
    for (RowKey k : latest.keySet()) {
      locks.add(stripeIndex(k.tenant(), k.id()));
    }
    locks.forEach(i -> stripes[i].lock()); // ascending order: no deadlock with batches or applies
    try {
      var winners = new ArrayList<Row>(latest.size());
      for (Row r : latest.values()) {
        Optional<Row> stored = storage.getRow(r.key());
        if (stored.isEmpty() || LastWriteWins.compare(r, stored.get()) > 0) {
          winners.add(r);
        }
      }
      storage.apply(winners);
      long now = storage.clock().wallMicros();
      for (Row r : winners) {
        reindex(r, decoded, now);
      }
      return winners.size();
    } finally {
      locks.descendingSet().forEach(i -> stripes[i].unlock());
    }
  }

  private void reindex(Row r, Map<RowKey, Entity> decoded, long nowMicros) {
    String tenant = r.key().tenant();
    if (r.isDeletedAt(nowMicros)) {
      indexer.remove(tenant, r.key().id());
      return;
    }
    Entity e = decoded.get(r.key());
    try {
      indexer.index(tenant, e);
    } catch (IllegalArgumentException refused) {
      logger.warn("stored {} without indexing its vector: {}", r.key(), refused.getMessage());
      indexer.index(tenant, e.toBuilder().clearEmbeddings().build());
    }
  }

  private static Entity decodeForApply(Row r) {
    Entity e;
    try {
      e = EntityCodec.decode(r.value());
    } catch (InvalidProtocolBufferException bad) {
      throw new IllegalArgumentException(
          "row " + r.key() + ": value is not an entity: " + bad.getMessage());
    }
    if (!e.getEntityId().equals(r.key().id())
        || !(e.getTenantId().isEmpty() || e.getTenantId().equals(r.key().tenant()))) {
      throw new IllegalArgumentException(
          "row "
              + r.key()
              + " holds entity "
              + e.getTenantId()
              + "/"
              + e.getEntityId()
              + " of another key");
    }
    return e;
  }

  /**
   * Drops the keys {@code keep} refuses from storage ({@link StorageEngine#cleanup}) and then from
   * the vector, graph and text indexes. A dropped key is removed from the indexes under its stripe
   * lock and only if storage no longer holds a live version (a write that raced the cleanup wins).
   */
  public StorageEngine.CleanupResult cleanup(java.util.function.Predicate<RowKey> keep)
      throws IOException {
    var result = storage.cleanup(keep);
    for (RowKey k : result.droppedLive()) {
      ReentrantLock lock = stripe(k.tenant(), k.id());
      lock.lock();
      try {
        Optional<Row> now = storage.getRow(k);
        if (now.isEmpty() || now.get().isDeletedAt(storage.clock().wallMicros())) {
          indexer.remove(k.tenant(), k.id());
        }
      } finally {
        lock.unlock();
      }
    }
    return result;
  }

  /** The tenant's vector dimension, fixed by its first vector; empty before that. */
  public OptionalInt dimension(String tenant) {
    return vectors.dimension(tenant);
  }

  /**
   * Checks an entity's latest embedding against the tenant's dimension (or the one a batch fixed);
   * returns the dimension in force afterwards.
   *
   * @throws IllegalArgumentException naming the entity, the expected and the actual dimension, or
   *     the first non-finite component
   */
  public static OptionalInt checkVector(String tenant, Entity entity, OptionalInt dimension) {
    int n = entity.getEmbeddingsCount();
    if (n == 0) {
      return dimension;
    }
    var latest = entity.getEmbeddings(n - 1);
    int dim = latest.getVectorCount();
    if (dim == 0) {
      throw new IllegalArgumentException(
          "entity " + entity.getEntityId() + ": the latest embedding is empty");
    }
    if (dimension.isPresent() && dimension.getAsInt() != dim) {
      throw new IllegalArgumentException(
          "entity "
              + entity.getEntityId()
              + ": embedding has dimension "
              + dim
              + " but tenant '"
              + tenant
              + "' uses "
              + dimension.getAsInt());
    }
    for (int i = 0; i < dim; i++) {
      if (!Float.isFinite(latest.getVector(i))) {
        throw new IllegalArgumentException(
            "entity "
                + entity.getEntityId()
                + ": embedding component "
                + i
                + " is "
                + latest.getVector(i));
      }
    }
    return OptionalInt.of(dim);
  }

  public StorageEngine storage() {
    return storage;
  }

  public VectorIndex vectors() {
    return vectors;
  }

  public GraphIndex graph() {
    return graph;
  }

  /** BM25 over the entities' chunk text (hybrid retrieval), in step with the other indexes. */
  public TextIndex text() {
    return text;
  }

  private ReentrantLock stripe(String tenant, String id) {
    return stripes[stripeIndex(tenant, id)];
  }

  private static int stripeIndex(String tenant, String id) {
    return Math.floorMod(31 * tenant.hashCode() + id.hashCode(), STRIPES);
  }

  /**
   * Writes the vector index snapshot, closes the indexes and then storage. Writes must have
   * stopped. A snapshot that cannot be written is logged, not thrown: the next open rebuilds
   * instead.
   */
  @Override
  public void close() throws IOException {
    try {
      vectors.close(snapshot);
    } catch (IOException | RuntimeException e) {
      logger.warn("could not write the vector index snapshot {}: {}", snapshot, e.toString());
    } finally {
      try {
        text.close();
      } finally {
        storage.close();
      }
    }
  }
}
