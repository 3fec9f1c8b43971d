package io.allidb.dataplane.index.graph;

import java.util.Objects;

/**
 * What the Graph RAG score and the entity-type filter need of an entity besides its vector and
 * edges, kept beside the adjacency so a query scores candidates without reading storage.
 *
 * @param entityType the entity's {@code entity_type}
 * @param importance the entity's {@code importance}, before the sigmoid
 * @param updatedAtNanos the entity's {@code updated_at_nanos}, for recency
 */
public record EntityAttributes(String entityType, double importance, long updatedAtNanos) {
  /** An entity with an empty type, importance 0 and no update time. */
  public static final EntityAttributes NONE = new EntityAttributes("", 0, 0);

  public EntityAttributes {
    Objects.requireNonNull(entityType, "entityType");
  }
}
