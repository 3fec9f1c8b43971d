package io.allidb.dataplane.index.vector;

/**
 * One vector to index, as read back from storage when indexes are rebuilt at start.
 *
 * @param tenant the owning tenant
 * @param entityId the entity the vector belongs to
 * @param vector the embedding; the index copies it
 */
public record VectorRecord(String tenant, String entityId, float[] vector) {}
