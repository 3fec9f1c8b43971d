package io.allidb.dataplane.index.vector;

import java.util.Collection;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Approximate nearest-neighbour search over one vector per (tenant, entity id).
 *
 * <p><b>Tenants</b> are fully separate: a search, {@link #size} or {@link #dimension} of one tenant
 * never sees another's vectors. The first vector upserted for a tenant fixes its dimension.
 *
 * <p><b>Thread-safety and visibility.</b> Implementations are thread-safe. Once {@link #upsert} or
 * {@link #delete} has returned, every search that starts afterwards, on any thread, sees the
 * change: the new vector is a candidate, the replaced or deleted one is never returned. Operations
 * still in flight when a search starts may or may not be seen by it.
 *
 * <p>The vectors of record live in the storage engine; at start an index is loaded from a snapshot
 * where the implementation has one and reconciled with storage, or rebuilt from it (see {@code
 * EntityIndexer#reconcile}).
 */
public interface VectorIndex extends AutoCloseable {

  /**
   * Stores {@code vector} as the entity's vector, replacing the previous one.
   *
   * @throws IllegalArgumentException when the vector is empty, holds NaN or infinity, is all zeros
   *     under {@link VectorMetric#COSINE}, or its dimension differs from the tenant's; the message
   *     names the tenant, the expected and the actual dimension
   */
  void upsert(String tenant, String entityId, float[] vector);

  /**
   * Upserts many vectors, possibly in parallel; the order among them is unspecified, so ids should
   * be distinct. Used to rebuild an index at start.
   *
   * @throws IllegalArgumentException as {@link #upsert}, for the first bad record met (the others
   *     may have been stored)
   */
  default void upsertAll(Collection<VectorRecord> records) {
    for (VectorRecord r : records) {
      upsert(r.tenant(), r.entityId(), r.vector());
    }
  }

  /** Removes the entity's vector; a no-op when it has none. */
  void delete(String tenant, String entityId);

  /**
   * Returns up to {@code k} entities of the tenant closest to {@code query}, closest first (ties by
   * entity id).
   *
   * <p>The filter is applied inside the search, before the top-k cut: when at least {@code k}
   * accepted vectors exist, exactly {@code k} hits come back, however selective the filter.
   *
   * @param k number of hits wanted, at least 1
   * @param beamWidth candidates kept while walking the graph; higher improves recall at the cost of
   *     latency. Values below {@code k} are raised to {@code k}; 0 means the index's default
   * @param acceptEntity which entity ids may be returned, or null for all
   * @throws IllegalArgumentException for a bad {@code k}, a negative beam, or a query the tenant's
   *     vectors could not be compared with (see {@link #upsert})
   */
  List<VectorHit> search(
      String tenant, float[] query, int k, int beamWidth, Predicate<String> acceptEntity);

  /**
   * The entity's current vector, or null when it has none. The array is the index's own copy,
   * returned without copying so a query can score hundreds of candidates cheaply: callers must not
   * modify it.
   */
  float[] vector(String tenant, String entityId);

  /** The tenants that have (or had) vectors here. */
  Set<String> tenants();

  /** A copy of the ids of the tenant's entities that have a vector. */
  Set<String> entityIds(String tenant);

  /** The tenant's dimension, fixed by its first vector; empty when it never had one. */
  OptionalInt dimension(String tenant);

  /** Number of entities of the tenant that have a vector. */
  int size(String tenant);

  /** Releases the index's memory; further calls fail. */
  @Override
  void close();
}
