package io.allidb.client;

import io.allidb.api.proto.AlliDBGrpc;
import io.allidb.api.proto.BatchPutEntitiesRequest;
import io.allidb.api.proto.BatchPutEntitiesResponse;
import io.allidb.api.proto.ConsistencyLevel;
import io.allidb.api.proto.DeleteEntityRequest;
import io.allidb.api.proto.Entity;
import io.allidb.api.proto.GetEntityRequest;
import io.allidb.api.proto.HealthCheckRequest;
import io.allidb.api.proto.HealthCheckResponse;
import io.allidb.api.proto.PutEntityRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Client of the AlliDB public API ({@code allidb.AlliDB}): one shared gRPC channel (Netty, shaded
 * inside grpc-netty-shaded, so applications keep their own Netty), the API key on every call,
 * optional TLS and mutual TLS, a default consistency level and deadline, and typed errors ({@link
 * AlliException} and its subclasses, keeping the server's status and message).
 *
 * <p><b>Retries.</b> Only idempotent calls are retried on {@code UNAVAILABLE} (with {@link
 * RetrySettings}, by gRPC's own retry machinery) and wait for a connection while no node is
 * reachable, all within the call's deadline:
 *
 * <ul>
 *   <li>always: {@link #get}, {@link #query}, {@link #scan} pages and {@link #health} — they only
 *       read;
 *   <li>only with {@link Builder#retryWrites(boolean) retryWrites(true)}: {@link #put}, {@link
 *       #putBatch} chunks and {@link #delete}. A put replaces the whole entity and a delete of an
 *       absent entity succeeds, so repeating one gives the same entity — but the server stamps each
 *       write with its own time, so a repeated write that the node had already applied lands
 *       <em>after</em> any write another client made in between and overwrites it. Applications
 *       with a single writer per entity id can opt in; by default a write is sent once and an
 *       {@link UnavailableException} tells the application it may or may not have been applied.
 * </ul>
 *
 * <p>Thread-safe. {@link #withDeadline} and {@link #withConsistency} return views sharing the
 * channel; {@link #close()} on the client they came from closes it for all of them.
 */
public final class AlliClient implements AutoCloseable {
  static final String SERVICE = AlliDBGrpc.SERVICE_NAME;
  private static final Set<String> READS = Set.of("GetEntity", "Query", "RangeScan", "HealthCheck");
  private static final Set<String> WRITES = Set.of("PutEntity", "BatchPutEntities", "DeleteEntity");

  private final Connection connection;
  private final boolean owner;
  private final Duration deadline;
  private final ConsistencyLevel consistency;
  private final int maxRequestBytes;
  private final int maxBatchEntities;

  private AlliClient(
      Connection connection,
      boolean owner,
      Duration deadline,
      ConsistencyLevel consistency,
      int maxRequestBytes,
      int maxBatchEntities) {
    this.connection = connection;
    this.owner = owner;
    this.deadline = deadline;
    this.consistency = consistency;
    this.maxRequestBytes = maxRequestBytes;
    this.maxBatchEntities = maxBatchEntities;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A view of this client whose calls use {@code deadline}; it shares the channel. */
  public AlliClient withDeadline(Duration deadline) {
    if (deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException("deadline must be positive; got " + deadline);
    }
    return new AlliClient(
        connection, false, deadline, consistency, maxRequestBytes, maxBatchEntities);
  }

  /** A view of this client whose calls ask {@code level}; null means the server's default. */
  public AlliClient withConsistency(ConsistencyLevel level) {
    return new AlliClient(connection, false, deadline, level, maxRequestBytes, maxBatchEntities);
  }

  /** The consistency level calls ask for; null when the server's default applies. */
  public ConsistencyLevel consistency() {
    return consistency;
  }

  /**
   * Writes (replaces) one entity of the key's tenant. {@code tenant_id} may be left empty: the API
   * key decides the tenant.
   *
   * @return the entity id
   */
  public String put(Entity entity) {
    Objects.requireNonNull(entity, "entity");
    var request = PutEntityRequest.newBuilder().setEntity(entity);
    if (consistency != null) {
      request.setConsistencyLevel(consistency);
    }
    return call("put", () -> stub().putEntity(request.build())).getEntityId();
  }

  /**
   * Writes entities in as few {@code BatchPutEntities} calls as fit the node's request size limit
   * ({@link Builder#maxRequestBytes}) and {@link Builder#maxBatchEntities}. Each call is atomic on
   * the node; the calls are not atomic together.
   *
   * @throws InvalidArgumentException before sending anything when one entity alone is larger than
   *     the limit
   * @throws AlliException when a call fails; its message says how many entities earlier calls had
   *     already written
   */
  public BatchResult putBatch(List<Entity> entities) {
    if (entities.isEmpty()) {
      return new BatchResult(List.of(), 0, List.of());
    }
    List<List<Entity>> chunks = BatchChunker.chunk(entities, maxRequestBytes, maxBatchEntities);
    var ids = new ArrayList<String>(entities.size());
    var errors = new ArrayList<String>();
    int failures = 0;
    int sent = 0;
    for (List<Entity> chunk : chunks) {
      var request = BatchPutEntitiesRequest.newBuilder().addAllEntities(chunk);
      if (consistency != null) {
        request.setConsistencyLevel(consistency);
      }
      BatchPutEntitiesResponse response;
      try {
        response = stub().batchPutEntities(request.build());
      } catch (StatusRuntimeException e) {
        throw AlliException.from(
            "putBatch",
            e,
            ids.size()
                + " of "
                + entities.size()
                + " entities were written by earlier calls; the "
                + chunk.size()
                + " from index "
                + sent
                + " on were not");
      }
      ids.addAll(response.getEntityIdsList());
      failures += response.getFailureCount();
      if (response.getFailureCount() > 0) {
        errors.add(response.getErrorMessage());
      }
      sent += chunk.size();
    }
    return new BatchResult(List.copyOf(ids), failures, List.copyOf(errors));
  }

  /** The latest live version of an entity of the key's tenant; empty when absent or deleted. */
  public Optional<Entity> get(String entityId) {
    requireId(entityId);
    var request = GetEntityRequest.newBuilder().setEntityId(entityId);
    if (consistency != null) {
      request.setConsistencyLevel(consistency);
    }
    try {
      return Optional.of(stub().getEntity(request.build()).getEntity());
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return Optional.empty();
      }
      throw AlliException.from("get", e);
    }
  }

  /** Deletes an entity (visible to the next read); deleting an absent entity succeeds. */
  public void delete(String entityId) {
    requireId(entityId);
    var request = DeleteEntityRequest.newBuilder().setEntityId(entityId);
    if (consistency != null) {
      request.setConsistencyLevel(consistency);
    }
    call("delete", () -> stub().deleteEntity(request.build()));
  }

  /** A Graph RAG query: set the vector or text and options, then {@link QueryBuilder#execute()}. */
  public QueryBuilder query() {
    return new QueryBuilder(this);
  }

  /** A scan of the key's tenant in entity id order: set bounds, then stream or iterate it. */
  public ScanBuilder scan() {
    return new ScanBuilder(this);
  }

  /** The node's health (needs no API key). */
  public HealthCheckResponse health() {
    return call("health", () -> stub().healthCheck(HealthCheckRequest.getDefaultInstance()));
  }

  AlliDBGrpc.AlliDBBlockingStub stub() {
    return connection.stub(AlliDBGrpc.newBlockingStub(connection.channel()), deadline);
  }

  static <R> R call(String operation, Supplier<R> call) {
    try {
      return call.get();
    } catch (StatusRuntimeException e) {
      throw AlliException.from(operation, e);
    }
  }

  private static void requireId(String entityId) {
    if (entityId == null || entityId.isEmpty()) {
      throw new IllegalArgumentException("entityId must not be empty");
    }
  }

  /** Closes the shared channel (a no-op on a {@code with...} view). */
  @Override
  public void close() {
    if (owner) {
      connection.close();
    }
  }

  /** Builder of {@link AlliClient}; see {@link ClientBuilder} for targets, key, TLS, retries. */
  public static final class Builder extends ClientBuilder<Builder> {
    private ConsistencyLevel consistency;
    private boolean retryWrites;
    private int maxRequestBytes = 16 << 20;
    private int maxBatchEntities = 1000;

    private Builder() {}

    /** Default consistency level of every call; unset means the server's default (QUORUM). */
    public Builder consistency(ConsistencyLevel level) {
      this.consistency = Objects.requireNonNull(level, "level");
      return this;
    }

    /** Retry puts, batch puts and deletes too; read {@link AlliClient} first (default false). */
    public Builder retryWrites(boolean retryWrites) {
      this.retryWrites = retryWrites;
      return this;
    }

    /**
     * The node's request size limit ({@code allidb server --max-message-bytes}, default 16 MiB):
     * {@link AlliClient#putBatch} keeps each call below it.
     */
    public Builder maxRequestBytes(int bytes) {
      if (bytes < 64 << 10) {
        throw new IllegalArgumentException("maxRequestBytes must be >= 64 KiB; got " + bytes);
      }
      this.maxRequestBytes = bytes;
      return this;
    }

    /** At most this many entities per {@code BatchPutEntities} call (default 1000). */
    public Builder maxBatchEntities(int count) {
      if (count < 1) {
        throw new IllegalArgumentException("maxBatchEntities must be >= 1; got " + count);
      }
      this.maxBatchEntities = count;
      return this;
    }

    public AlliClient build() {
      var idempotent = new java.util.HashSet<>(READS);
      if (retryWrites) {
        idempotent.addAll(WRITES);
      }
      var connection = Connection.open(this, Map.of(SERVICE, idempotent));
      return new AlliClient(
          connection, true, deadline, consistency, maxRequestBytes, maxBatchEntities);
    }
  }
}
