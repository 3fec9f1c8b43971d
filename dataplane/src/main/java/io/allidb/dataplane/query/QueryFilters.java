package io.allidb.dataplane.query;

import io.allidb.api.proto.Entity;
import io.allidb.api.proto.QueryFilter;
import io.allidb.api.proto.TextChunk;
import java.util.Map;

/**
 * Evaluates a {@link QueryFilter} against an entity. Executors apply it to candidates before the
 * top-k cut (the original filtered after it, so fewer than k results could come back).
 *
 * <p>Thread-safe: stateless.
 */
public final class QueryFilters {
  private QueryFilters() {}

  /**
   * True when the entity passes every non-empty criterion: its type is one of {@code entity_types},
   * and one of its chunks carries all {@code chunk_metadata} entries.
   */
  public static boolean matches(Entity entity, QueryFilter filter) {
    if (!matchesType(entity.getEntityType(), filter)) {
      return false;
    }
    Map<String, String> wanted = filter.getChunkMetadataMap();
    if (wanted.isEmpty()) {
      return true;
    }
    for (TextChunk chunk : entity.getChunksList()) {
      if (chunk.getMetadataMap().entrySet().containsAll(wanted.entrySet())) {
        return true;
      }
    }
    return false;
  }

  /** The entity-type half of {@link #matches}: true when the filter names no types or this one. */
  public static boolean matchesType(String entityType, QueryFilter filter) {
    return filter.getEntityTypesCount() == 0 || filter.getEntityTypesList().contains(entityType);
  }

  /** Whether {@link #matches} needs more of an entity than its type (its chunks' metadata). */
  public static boolean needsChunks(QueryFilter filter) {
    return filter.getChunkMetadataCount() > 0;
  }
}
