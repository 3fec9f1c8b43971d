package io.allidb.dataplane.index.graph;

import java.util.List;
import java.util.Set;

/**
 * The typed, weighted adjacency of each tenant's entities, for graph expansion in RAG queries.
 *
 * <p>An entity owns its outgoing edges (they live on its stored row); the index also keeps the
 * reverse (incoming) adjacency of every target, so both directions are one lookup. Tenants never
 * see each other's edges.
 *
 * <p>Thread-safe. A change is visible to every query that starts after the call returned, and a
 * query sees an entity's outgoing edges either all before or all after a concurrent {@link
 * #putEntity}.
 *
 * <p>It lives in memory and is rebuilt from storage at start ({@code EntityIndexer#rebuild}).
 */
public interface GraphIndex {

  /**
   * Records the entity as live with its attributes, replaces its outgoing edges with {@code
   * outgoingEdges} and updates the incoming adjacency of every old and new target. When several
   * edges share target and relation, the last one wins.
   *
   * @throws IllegalArgumentException when an edge's {@link Edge#from()} is not {@code entityId}
   */
  void putEntity(
      String tenant, String entityId, EntityAttributes attributes, List<Edge> outgoingEdges);

  /**
   * {@link #putEntity(String, String, EntityAttributes, List)} with {@link EntityAttributes#NONE}.
   */
  default void putEntity(String tenant, String entityId, List<Edge> outgoingEdges) {
    putEntity(tenant, entityId, EntityAttributes.NONE, outgoingEdges);
  }

  /**
   * The attributes of a live entity (one put and not removed since), or null: a deleted entity, or
   * an edge target that was never stored. Lock-free; meant for scoring hundreds of candidates.
   */
  EntityAttributes attributes(String tenant, String entityId);

  /**
   * Forgets the entity's attributes and drops its outgoing edges and their reverse entries. Edges
   * that other entities store towards it stay until those entities change, as they do in storage.
   */
  void removeEntity(String tenant, String entityId);

  /**
   * The entity's edges in direction {@code dir}, ordered by weight (highest first), then the id at
   * the other end, then relation: deterministic for equal weights.
   *
   * @param relations edge types to follow; empty for all
   * @param limit most edges to return, at least 1
   * @throws IllegalArgumentException for a limit below 1
   */
  List<Edge> neighbors(
      String tenant, String entityId, Direction dir, Set<String> relations, int limit);
}
