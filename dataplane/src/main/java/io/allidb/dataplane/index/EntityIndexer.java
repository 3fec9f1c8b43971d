package io.allidb.dataplane.index;

import io.allidb.api.proto.Entity;
import io.allidb.api.proto.GraphEdge;
import io.allidb.api.proto.VectorEmbedding;
import io.allidb.dataplane.index.graph.Edge;
import io.allidb.dataplane.index.graph.EntityAttributes;
import io.allidb.dataplane.index.graph.GraphIndex;
import io.allidb.dataplane.index.vector.VectorIndex;
import io.allidb.dataplane.index.vector.VectorRecord;
import io.allidb.dataplane.query.hybrid.TextIndex;
import io.allidb.dataplane.storage.StorageEngine;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the vector and graph indexes in step with stored entities: what of an {@link Entity} each
 * index sees, and the rebuild of both from storage at start.
 *
 * <ul>
 *   <li>Vector: the entity's latest embedding, the last element of {@code embeddings}; an entity
 *       without embeddings has no vector.
 *   <li>Graph: the entity's {@link EntityAttributes} (type, importance, update time: what the query
 *       scores besides the vector) and its {@code outgoing_edges}, all starting at the entity (a
 *       stored {@code from_entity} is ignored: the row that holds an edge is its source). {@code
 *       incoming_edges} are not indexed: the graph index derives them from the sources' rows. Edges
 *       without a target or with a non-finite weight are skipped with a warning.
 * </ul>
 *
 * <p>Thread-safe when the indexes are (ours are). Calls for the same entity must not race each
 * other; the write path orders them per key.
 */
public final class EntityIndexer {
  private static final Logger logger = LoggerFactory.getLogger(EntityIndexer.class);
  private static final int REBUILD_BATCH = 4096;

  private final VectorIndex vectors;
  private final GraphIndex graph;
  private final TextIndex text;

  public EntityIndexer(VectorIndex vectors, GraphIndex graph) {
    this(vectors, graph, null);
  }

  /**
   * @param text the BM25 index of chunk text, kept in step like the other two; null for none
   */
  public EntityIndexer(VectorIndex vectors, GraphIndex graph, TextIndex text) {
    this.vectors = Objects.requireNonNull(vectors, "vectors");
    this.graph = Objects.requireNonNull(graph, "graph");
    this.text = text;
  }

  /**
   * What {@link #rebuild} did: entities scanned, vectors indexed (inserted or kept), edges, vectors
   * rejected, vectors kept as loaded from a snapshot, and snapshot vectors storage no longer has.
   */
  public record RebuildStats(
      long entities,
      long vectors,
      long edges,
      long skippedVectors,
      long reusedVectors,
      long removedVectors) {}

  /**
   * Indexes the entity's current state, replacing what was indexed for it before.
   *
   * @throws IllegalArgumentException when the latest embedding is rejected by the vector index (see
   *     {@link VectorIndex#upsert}); nothing was changed then
   */
  public void index(String tenant, Entity entity) {
    String id = entity.getEntityId();
    float[] vector = latestVector(entity);
    if (vector == null) {
      vectors.delete(tenant, id);
    } else {
      vectors.upsert(tenant, id, vector);
    }
    graph.putEntity(tenant, id, attributes(entity), edges(tenant, entity));
    if (text != null) {
      text.index(tenant, entity);
    }
  }

  /** Removes a deleted entity from both indexes. */
  public void remove(String tenant, String entityId) {
    vectors.delete(tenant, entityId);
    graph.removeEntity(tenant, entityId);
    if (text != null) {
      text.remove(tenant, entityId);
    }
  }

  /**
   * Brings both indexes in line with every live entity of every tenant in {@code engine}; meant for
   * start-up, before writes are served. The graph index is built from scratch. The vector index may
   * start empty (every vector is inserted, in parallel batches) or hold a snapshot: a vector it
   * already holds for the entity, equal component for component to the latest embedding, is kept
   * without touching the graph; a differing or missing one is (re)inserted; vectors of entities
   * that are no longer live are deleted. Comparing contents rather than write timestamps costs one
   * array comparison per entity and cannot be fooled by a write path that leaves timestamps alone.
   *
   * <p>An entity whose vector the index rejects (say, a dimension that differs from its tenant's)
   * keeps its edges, loses its vector, and is counted and logged. Entities arrive in key order, not
   * write order, so if storage ever held vectors of several dimensions for one tenant, the one in
   * the smallest key fixes the tenant's dimension; the write path prevents that by indexing before
   * it acknowledges.
   */
  public RebuildStats rebuild(StorageEngine engine) throws IOException {
    long start = System.nanoTime();
    var counts = new Counts();
    var batch = new ArrayList<VectorRecord>(REBUILD_BATCH);
    // tenants that start with vectors (a snapshot): remember whom storage still has
    var seen = new HashMap<String, Set<String>>();
    vectors.tenants().forEach(t -> seen.put(t, new HashSet<>()));
    engine.forEachLive(
        (tenant, entity) -> {
          counts.entities++;
          String id = entity.getEntityId();
          List<Edge> edges = edges(tenant, entity);
          graph.putEntity(tenant, id, attributes(entity), edges);
          if (text != null) {
            text.index(tenant, entity);
          }
          counts.edges += edges.size();
          float[] vector = latestVector(entity);
          Set<String> seenOfTenant = seen.get(tenant);
          if (vector != null && seenOfTenant != null) {
            seenOfTenant.add(id);
          }
          if (vector != null && Arrays.equals(vector, vectors.vector(tenant, id))) {
            counts.vectors++;
            counts.reused++;
          } else if (vector != null) {
            batch.add(new VectorRecord(tenant, id, vector));
            if (batch.size() == REBUILD_BATCH) {
              flush(batch, counts);
            }
          }
        });
    flush(batch, counts);
    seen.forEach(
        (tenant, live) -> {
          for (String id : vectors.entityIds(tenant)) {
            if (!live.contains(id)) {
              vectors.delete(tenant, id);
              counts.removed++;
            }
          }
        });
    var stats =
        new RebuildStats(
            counts.entities,
            counts.vectors,
            counts.edges,
            counts.rejected,
            counts.reused,
            counts.removed);
    logger.info(
        "indexed storage in {} ms: {} entities, {} vectors ({} kept from the snapshot, {} inserted,"
            + " {} rejected, {} removed), {} edges",
        (System.nanoTime() - start) / 1_000_000,
        stats.entities(),
        stats.vectors(),
        stats.reusedVectors(),
        stats.vectors() - stats.reusedVectors(),
        stats.skippedVectors(),
        stats.removedVectors(),
        stats.edges());
    return stats;
  }

  /** Running totals of one rebuild; confined to the scanning thread. */
  private static final class Counts {
    long entities;
    long vectors;
    long edges;
    long rejected;
    long reused;
    long removed;
  }

  /** Upserts a batch in parallel and clears it; rejected records are counted, not fatal. */
  private void flush(List<VectorRecord> batch, Counts counts) {
    long rejected = 0;
    try {
      vectors.upsertAll(batch);
    } catch (IllegalArgumentException firstBad) {
      // retry one by one to keep the good ones and count the bad ones (re-upserts are idempotent)
      for (VectorRecord r : batch) {
        try {
          vectors.upsert(r.tenant(), r.entityId(), r.vector());
        } catch (IllegalArgumentException e) {
          rejected++;
          logger.warn(
              "not indexing the vector of {}/{}: {}", r.tenant(), r.entityId(), e.getMessage());
        }
      }
    }
    counts.vectors += batch.size() - rejected;
    counts.rejected += rejected;
    batch.clear();
  }

  private static EntityAttributes attributes(Entity entity) {
    return new EntityAttributes(
        entity.getEntityType(), entity.getImportance(), entity.getUpdatedAtNanos());
  }

  private static float[] latestVector(Entity entity) {
    int n = entity.getEmbeddingsCount();
    if (n == 0) {
      return null;
    }
    VectorEmbedding latest = entity.getEmbeddings(n - 1);
    float[] v = new float[latest.getVectorCount()];
    for (int i = 0; i < v.length; i++) {
      v[i] = latest.getVector(i);
    }
    return v;
  }

  private static List<Edge> edges(String tenant, Entity entity) {
    String id = entity.getEntityId();
    var out = new ArrayList<Edge>(entity.getOutgoingEdgesCount());
    for (GraphEdge e : entity.getOutgoingEdgesList()) {
      if (e.getToEntity().isEmpty() || !Double.isFinite(e.getWeight())) {
        logger.warn(
            "skipping edge of {}/{} to '{}' ({}): no target or a non-finite weight {}",
            tenant,
            id,
            e.getToEntity(),
            e.getRelation(),
            e.getWeight());
        continue;
      }
      out.add(new Edge(id, e.getToEntity(), e.getRelation(), e.getWeight()));
    }
    return out;
  }
}
