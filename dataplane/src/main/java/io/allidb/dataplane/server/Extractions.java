package io.allidb.dataplane.server;

import io.allidb.api.proto.Entity;
import io.allidb.api.proto.ExtractEntitiesRequest;
import io.allidb.api.proto.ExtractEntitiesResponse;
import io.allidb.dataplane.ai.EntityExtractor;
import io.allidb.dataplane.ai.EntityExtractor.ExtractionException;
import io.allidb.dataplane.ai.NodeAi;
import io.allidb.dataplane.cluster.coordinator.Coordinator;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code ExtractEntities} RPC: LLM extraction ({@link EntityExtractor}), then, unless {@code
 * dry_run}, one atomic batch write of the entities through the coordinator, embedded on write like
 * any other write. Thread-safe.
 */
final class Extractions {
  private final NodeAi ai;
  private final Coordinator coordinator;
  private final EntityWrites writes;

  Extractions(NodeAi ai, Coordinator coordinator, EntityWrites writes) {
    this.ai = ai;
    this.coordinator = coordinator;
    this.writes = writes;
  }

  ExtractEntitiesResponse extract(String tenant, ExtractEntitiesRequest request, long nowNanos)
      throws Exception {
    EntityExtractor extractor =
        ai.extractor()
            .orElseThrow(
                () ->
                    Status.FAILED_PRECONDITION
                        .withDescription(
                            "this node has no LLM configured (start it with --llm-provider"
                                + " openai|ollama)")
                        .asRuntimeException());
    if (request.getText().isBlank()) {
      throw new IllegalArgumentException("text is required");
    }
    int retries = request.hasMaxRetries() ? request.getMaxRetries() : ai.defaultExtractionRetries();
    if (retries < 0 || retries > 10) {
      throw new IllegalArgumentException("max_retries must be in [0, 10]; got " + retries);
    }
    EntityExtractor.Extraction x;
    try {
      x = extractor.extract(request.getText(), retries);
    } catch (ExtractionException e) {
      // the model, not the caller, failed: the message lists the validation errors
      throw Status.UNAVAILABLE.withDescription(e.getMessage()).asRuntimeException();
    }
    List<Entity> entities = EntityExtractor.toEntities(x.graph(), request.getSource());
    int relations = x.graph().getAsJsonArray("relations").size();
    var stored = new ArrayList<Entity>(entities.size());
    if (!request.getDryRun() && !entities.isEmpty()) {
      for (Entity e : ai.embeddings().beforeWrite(tenant, entities)) {
        stored.add(writes.toStored(e, tenant, nowNanos));
      }
      coordinator.putBatch(
          tenant,
          stored,
          coordinator.level(request.hasConsistencyLevel(), request.getConsistencyLevel()));
      ai.embeddings().afterWrite(tenant, stored);
    } else {
      stored.addAll(entities);
    }
    return ExtractEntitiesResponse.newBuilder()
        .addAllEntities(stored)
        .setRelationCount(relations)
        .setAttempts(x.attempts())
        .setSchemaVersion(EntityExtractor.SCHEMA_VERSION)
        .setTraceId(request.getTraceId())
        .build();
  }
}
