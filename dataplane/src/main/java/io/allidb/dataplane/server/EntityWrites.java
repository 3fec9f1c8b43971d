package io.allidb.dataplane.server;

import io.allidb.api.proto.Entity;
import io.allidb.api.proto.VectorEmbedding;
import java.util.List;

/**
 * Validates a client's entity and turns it into the stored form, following the original's put
 * semantics (spec section 2.1, PutEntity step 4): embeddings are renumbered 1..n in request order
 * and stamped with server time, created/updated times are the server's, the tenant is the
 * authenticated one. Edge timestamps are kept as sent.
 *
 * <p>Thread-safe: immutable.
 */
final class EntityWrites {
  private final int vectorDimension;

  /**
   * @param vectorDimension the dimension every embedding must have, or 0 to accept any (as the
   *     original did; then only non-empty, finite vectors are required)
   */
  EntityWrites(int vectorDimension) {
    this.vectorDimension = vectorDimension;
  }

  /**
   * The stored form of {@code entity} for {@code tenant}.
   *
   * @throws IllegalArgumentException with the original's message for a missing id, or a message
   *     naming the offending embedding
   */
  Entity toStored(Entity entity, String tenant, long nowNanos) {
    if (entity.getEntityId().isEmpty()) {
      throw new IllegalArgumentException("entity_id is required");
    }
    var b = entity.toBuilder().setTenantId(tenant).clearEmbeddings();
    for (int i = 0; i < entity.getEmbeddingsCount(); i++) {
      VectorEmbedding e = entity.getEmbeddings(i);
      checkVector(e.getVectorList(), "embedding " + (i + 1) + " of entity " + entity.getEntityId());
      b.addEmbeddings(e.toBuilder().setVersion(i + 1).setTimestampNanos(nowNanos));
    }
    return b.setCreatedAtNanos(nowNanos).setUpdatedAtNanos(nowNanos).build();
  }

  /** Checks a vector's dimension and values; {@code what} names it in the message. */
  void checkVector(List<Float> vector, String what) {
    if (vector.isEmpty()) {
      throw new IllegalArgumentException(what + " is empty");
    }
    if (vectorDimension > 0 && vector.size() != vectorDimension) {
      throw new IllegalArgumentException(
          what + " has dimension " + vector.size() + "; this node expects " + vectorDimension);
    }
    for (int i = 0; i < vector.size(); i++) {
      if (!Float.isFinite(vector.get(i))) {
        throw new IllegalArgumentException(what + " has a non-finite value at index " + i);
      }
    }
  }
}
