package io.allidb.client;

import com.google.protobuf.CodedOutputStream;
import io.allidb.api.proto.BatchPutEntitiesRequest;
import io.allidb.api.proto.Entity;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a batch into requests that each stay below the node's request size limit. The size is the
 * exact protobuf size of {@code BatchPutEntitiesRequest.entities} entries plus headroom for the
 * request's other fields.
 */
final class BatchChunker {
  /** consistency_level, trace_id and the gRPC frame prefix, generously. */
  static final int HEADROOM_BYTES = 1024;

  private BatchChunker() {}

  static List<List<Entity>> chunk(List<Entity> entities, int maxRequestBytes, int maxEntities) {
    int budget = maxRequestBytes - HEADROOM_BYTES;
    var chunks = new ArrayList<List<Entity>>();
    var current = new ArrayList<Entity>();
    long bytes = 0;
    for (int i = 0; i < entities.size(); i++) {
      Entity e = entities.get(i);
      int size =
          CodedOutputStream.computeMessageSize(BatchPutEntitiesRequest.ENTITIES_FIELD_NUMBER, e);
      if (size > budget) {
        throw InvalidArgumentException.local(
            "putBatch",
            "entity "
                + e.getEntityId()
                + " at index "
                + i
                + " is "
                + size
                + " bytes, more than the request limit of "
                + maxRequestBytes
                + " bytes allows; nothing was sent");
      }
      if (!current.isEmpty() && (bytes + size > budget || current.size() == maxEntities)) {
        chunks.add(current);
        current = new ArrayList<>();
        bytes = 0;
      }
      current.add(e);
      bytes += size;
    }
    chunks.add(current);
    return chunks;
  }
}
