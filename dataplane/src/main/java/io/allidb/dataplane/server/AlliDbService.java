package io.allidb.dataplane.server;

import io.allidb.api.proto.AlliDBGrpc;
import io.allidb.api.proto.BatchPutEntitiesRequest;
import io.allidb.api.proto.BatchPutEntitiesResponse;
import io.allidb.api.proto.DeleteEntityRequest;
import io.allidb.api.proto.DeleteEntityResponse;
import io.allidb.api.proto.Entity;
import io.allidb.api.proto.ExtractEntitiesRequest;
import io.allidb.api.proto.ExtractEntitiesResponse;
import io.allidb.api.proto.GetEntityRequest;
import io.allidb.api.proto.GetEntityResponse;
import io.allidb.api.proto.HealthCheckRequest;
import io.allidb.api.proto.HealthCheckResponse;
import io.allidb.api.proto.PutEntityRequest;
import io.allidb.api.proto.PutEntityResponse;
import io.allidb.api.proto.QueryRequest;
import io.allidb.api.proto.QueryResponse;
import io.allidb.api.proto.RangeScanRequest;
import io.allidb.api.proto.RangeScanResponse;
import io.allidb.api.proto.ReplicaReadRequest;
import io.allidb.api.proto.ReplicaReadResponse;
import io.allidb.api.proto.ReplicaWriteRequest;
import io.allidb.api.proto.ReplicaWriteResponse;
import io.allidb.dataplane.ai.NodeAi;
import io.allidb.dataplane.cluster.coordinator.Coordinator;
import io.allidb.dataplane.node.EntityStore;
import io.allidb.dataplane.query.QueryExecutor;
import io.allidb.dataplane.query.ScoringWeights;
import io.allidb.dataplane.storage.ScanPage;
import io.allidb.dataplane.util.CallDeadline;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.function.BooleanSupplier;

/**
 * The public {@code allidb.AlliDB} gRPC service of one node: decode, validate, call the coordinator
 * (which replicates across the ring, or serves a single node locally) or the query executor,
 * encode. No business logic lives here. A request without {@code consistency_level} gets the
 * server's default level.
 *
 * <p>Validation and messages follow the original (spec section 2.1) with its defects fixed: the
 * tenant comes only from the API key (a request {@code tenant_id} must be empty or equal to it,
 * else {@code PERMISSION_DENIED "tenant ID mismatch"}); a batch rejects an empty {@code entity_id}
 * per entity like a single put; page tokens are the engine's opaque tokens; the replica RPCs refuse
 * API keys; query filters apply before the top-k cut. Errors map through {@link GrpcErrors}.
 *
 * <p>Thread-safe: stateless apart from thread-safe collaborators.
 */
public final class AlliDbService extends AlliDBGrpc.AlliDBImplBase {
  static final int DEFAULT_SCAN_LIMIT = 100;
  static final int MAX_SCAN_LIMIT = 1000;
  static final int DEFAULT_K = 10;
  static final int MAX_K = 1000;
  static final int DEFAULT_EXPAND_FACTOR = 2;

  private static final String VERSION =
      Objects.requireNonNullElse(
          AlliDbService.class.getPackage().getImplementationVersion(), "0.1.0-SNAPSHOT");

  private final EntityStore store;
  private final Coordinator coordinator;
  private final QueryExecutor queryExecutor;
  private final Clock clock;
  private final NodeConfig config;
  private final BooleanSupplier healthy;
  private final EntityWrites writes;
  private final NodeAi ai;
  private final Extractions extractions;

  /**
   * @param store this node's entities, for the tenant's vector dimension
   * @param coordinator where writes, reads and scans go (to this node alone in a single-node ring)
   * @param healthy whether the node serves (false while starting and shutting down)
   * @param ai query-text embedding, embed on write and extraction
   */
  public AlliDbService(
      EntityStore store,
      Coordinator coordinator,
      QueryExecutor queryExecutor,
      Clock clock,
      NodeConfig config,
      BooleanSupplier healthy,
      NodeAi ai) {
    this.store = store;
    this.coordinator = coordinator;
    this.queryExecutor = queryExecutor;
    this.clock = clock;
    this.config = config;
    this.healthy = healthy;
    this.writes = new EntityWrites(config.vectorDimension());
    this.ai = ai;
    this.extractions = new Extractions(ai, coordinator, writes);
  }

  @FunctionalInterface
  private interface Call<R> {
    R run() throws Exception;
  }

  private static <R> void unary(String rpc, StreamObserver<R> out, Call<R> call) {
    R response;
    try {
      response = call.run();
    } catch (Exception e) {
      out.onError(GrpcErrors.toStatus(rpc, e));
      return;
    }
    out.onNext(response);
    out.onCompleted();
  }

  @Override
  public void putEntity(PutEntityRequest request, StreamObserver<PutEntityResponse> out) {
    unary(
        "PutEntity",
        out,
        () -> {
          String tenant = TenantContext.require();
          if (!request.hasEntity()) {
            throw new IllegalArgumentException("entity is required");
          }
          Entity entity = request.getEntity();
          if (entity.getEntityId().isEmpty()) {
            throw new IllegalArgumentException("entity_id is required");
          }
          if (!sameTenant(entity.getTenantId(), tenant)) {
            throw tenantMismatch();
          }
          entity = ai.embeddings().beforeWrite(tenant, List.of(entity)).get(0);
          Entity stored = writes.toStored(entity, tenant, nowNanos());
          coordinator.put(
              tenant,
              stored,
              coordinator.level(request.hasConsistencyLevel(), request.getConsistencyLevel()));
          ai.embeddings().afterWrite(tenant, List.of(stored));
          return PutEntityResponse.newBuilder()
              .setSuccess(true)
              .setEntityId(entity.getEntityId())
              .build();
        });
  }

  /**
   * Validates every entity (failures are counted, as in the original) and writes the valid ones in
   * one atomic engine batch. A storage failure fails the whole call with a status rather than
   * counting: no entity of the batch was written then, and the client should retry all of it.
   */
  @Override
  public void batchPutEntities(
      BatchPutEntitiesRequest request, StreamObserver<BatchPutEntitiesResponse> out) {
    unary(
        "BatchPutEntities",
        out,
        () -> {
          String tenant = TenantContext.require();
          if (request.getEntitiesCount() == 0) {
            throw new IllegalArgumentException("at least one entity is required");
          }
          long now = nowNanos();
          List<Entity> entities = ai.embeddings().beforeWrite(tenant, request.getEntitiesList());
          OptionalInt dimension = store.dimension(tenant);
          var valid = new ArrayList<Entity>(request.getEntitiesCount());
          var response = BatchPutEntitiesResponse.newBuilder();
          int failures = 0;
          for (int i = 0; i < request.getEntitiesCount(); i++) {
            CallDeadline.check();
            Entity e = entities.get(i);
            String error = null;
            if (!sameTenant(e.getTenantId(), tenant)) {
              error = "tenant ID mismatch for entity " + e.getEntityId();
            } else if (e.getEntityId().isEmpty()) {
              error = "entity at index " + i + ": entity_id is required";
            } else {
              try {
                Entity stored = writes.toStored(e, tenant, now);
                // a batch must not mix dimensions either: its first vector may fix the tenant's
                dimension = EntityStore.checkVector(tenant, stored, dimension);
                valid.add(stored);
              } catch (IllegalArgumentException bad) {
                error = bad.getMessage();
              }
            }
            if (error != null) {
              failures++;
              response.setErrorMessage(error); // the original reports the last error
            }
          }
          if (!valid.isEmpty()) {
            coordinator.putBatch(
                tenant,
                valid,
                coordinator.level(request.hasConsistencyLevel(), request.getConsistencyLevel()));
            ai.embeddings().afterWrite(tenant, valid);
          }
          valid.forEach(e -> response.addEntityIds(e.getEntityId()));
          return response
              .setSuccess(failures == 0)
              .setSuccessCount(valid.size())
              .setFailureCount(failures)
              .build();
        });
  }

  @Override
  public void getEntity(GetEntityRequest request, StreamObserver<GetEntityResponse> out) {
    unary(
        "GetEntity",
        out,
        () -> {
          String tenant = TenantContext.require();
          String id = requireId(request.getEntityId());
          Entity e =
              coordinator
                  .get(
                      tenant,
                      id,
                      coordinator.level(
                          request.hasConsistencyLevel(), request.getConsistencyLevel()))
                  .orElseThrow(
                      () ->
                          Status.NOT_FOUND
                              .withDescription("entity " + id + " not found")
                              .asRuntimeException());
          return GetEntityResponse.newBuilder().setEntity(e).build();
        });
  }

  @Override
  public void deleteEntity(DeleteEntityRequest request, StreamObserver<DeleteEntityResponse> out) {
    unary(
        "DeleteEntity",
        out,
        () -> {
          String tenant = TenantContext.require();
          String id = requireId(request.getEntityId());
          coordinator.delete(
              tenant,
              id,
              coordinator.level(request.hasConsistencyLevel(), request.getConsistencyLevel()));
          return DeleteEntityResponse.newBuilder().setSuccess(true).setEntityId(id).build();
        });
  }

  @Override
  public void query(QueryRequest request, StreamObserver<QueryResponse> out) {
    unary(
        "Query",
        out,
        () -> {
          String tenant = TenantContext.require();
          QueryRequest normalized = normalize(ai.embeddings().prepare(tenant, request));
          QueryResponse response = queryExecutor.execute(tenant, normalized);
          // the contract says "echo"; do not trust every future executor to remember
          return response.toBuilder()
              .setTraceId(request.getTraceId())
              .setTotalResults(response.getResultsCount())
              .build();
        });
  }

  /** Applies the original's defaults and rejects what no executor can answer. */
  private QueryRequest normalize(QueryRequest request) {
    if (request.getQueryVectorCount() == 0) {
      throw new IllegalArgumentException("query_vector or query_text is required");
    }
    writes.checkVector(request.getQueryVectorList(), "query_vector");
    if (request.getK() > MAX_K) {
      throw new IllegalArgumentException("k must be at most " + MAX_K + "; got " + request.getK());
    }
    requireNonNegative("max_hops", request.getMaxHops());
    requireNonNegative("max_fanout_per_hop", request.getMaxFanoutPerHop());
    requireNonNegative("ef", request.getEf());
    ScoringWeights.resolve(request.getWeights()); // validates
    return request.toBuilder()
        .setK(request.getK() <= 0 ? DEFAULT_K : request.getK())
        .setExpandFactor(
            request.getExpandFactor() <= 0 ? DEFAULT_EXPAND_FACTOR : request.getExpandFactor())
        .build();
  }

  @Override
  public void extractEntities(
      ExtractEntitiesRequest request, StreamObserver<ExtractEntitiesResponse> out) {
    unary(
        "ExtractEntities",
        out,
        () -> extractions.extract(TenantContext.require(), request, nowNanos()));
  }

  @Override
  public void rangeScan(RangeScanRequest request, StreamObserver<RangeScanResponse> out) {
    unary(
        "RangeScan",
        out,
        () -> {
          String tenant = TenantContext.require();
          if (!sameTenant(request.getTenantId(), tenant)) {
            throw tenantMismatch();
          }
          if (!request.getNodeId().isEmpty()
              && !request.getNodeId().equals(config.nodeId())
              && !request.getNodeId().equals(config.hostId())) {
            // the scan is cluster-wide from any node; the original forwarded to node_id
            throw Status.NOT_FOUND
                .withDescription("address for node " + request.getNodeId() + " not found")
                .asRuntimeException();
          }
          int limit = request.getLimit() <= 0 ? DEFAULT_SCAN_LIMIT : request.getLimit();
          CallDeadline.check();
          ScanPage page =
              coordinator.scan(
                  tenant,
                  request.getStartKey(),
                  request.getEndKey(),
                  Math.min(limit, MAX_SCAN_LIMIT),
                  request.getPageToken(),
                  coordinator.level(request.hasConsistencyLevel(), request.getConsistencyLevel()));
          return RangeScanResponse.newBuilder()
              .addAllEntities(page.entities())
              .setNextPageToken(page.nextPageToken())
              .build();
        });
  }

  @Override
  public void replicaRead(ReplicaReadRequest request, StreamObserver<ReplicaReadResponse> out) {
    out.onError(replicaRefused("ReplicaRead"));
  }

  @Override
  public void replicaWrite(ReplicaWriteRequest request, StreamObserver<ReplicaWriteResponse> out) {
    out.onError(replicaRefused("ReplicaWrite"));
  }

  @Override
  public void healthCheck(HealthCheckRequest request, StreamObserver<HealthCheckResponse> out) {
    boolean ok = healthy.getAsBoolean();
    out.onNext(
        HealthCheckResponse.newBuilder()
            .setHealthy(ok)
            .setStatus(ok ? "healthy" : "unhealthy")
            .setTimestampNanos(nowNanos())
            .setVersion(VERSION)
            .build());
    out.onCompleted();
  }

  /**
   * The original let any API key read and write raw replica rows of any tenant (spec 6.2). Replica
   * traffic is node-to-node and will authenticate by node identity (mTLS) in the cluster issue.
   */
  private static RuntimeException replicaRefused(String rpc) {
    return Status.PERMISSION_DENIED
        .withDescription(
            rpc
                + " is reserved for node-to-node traffic authenticated by a node identity (mTLS);"
                + " API keys cannot call it")
        .asRuntimeException();
  }

  private static boolean sameTenant(String requested, String authenticated) {
    return requested.isEmpty() || requested.equals(authenticated);
  }

  private static RuntimeException tenantMismatch() {
    return Status.PERMISSION_DENIED.withDescription("tenant ID mismatch").asRuntimeException();
  }

  private static String requireId(String id) {
    if (id.isEmpty()) {
      throw new IllegalArgumentException("entity_id is required");
    }
    return id;
  }

  private static void requireNonNegative(String name, int v) {
    if (v < 0) {
      throw new IllegalArgumentException(name + " must be >= 0; got " + v);
    }
  }

  private long nowNanos() {
    Instant now = clock.instant();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }
}
