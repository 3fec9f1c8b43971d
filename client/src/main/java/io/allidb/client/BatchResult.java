package io.allidb.client;

import java.util.List;

/**
 * What {@link AlliClient#putBatch} wrote.
 *
 * @param entityIds ids of the entities written, in request order
 * @param failureCount entities the node refused (empty id, another tenant, a bad vector); the rest
 *     were written
 * @param errors the node's message for refused entities, one per call that had any (the node
 *     reports the last refusal of each call)
 */
public record BatchResult(List<String> entityIds, int failureCount, List<String> errors) {
  public int successCount() {
    return entityIds.size();
  }
}
