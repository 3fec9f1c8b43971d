package io.allidb.dataplane.server;

import static io.allidb.dataplane.server.GrpcAssertions.assertStatus;
import static io.allidb.dataplane.server.TestNode.KEY_A;
import static io.allidb.dataplane.server.TestNode.TENANT_A;
import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.api.proto.PutEntityRequest;
import io.allidb.original.proto.AlliDBGrpc;
import io.allidb.original.proto.BatchPutEntitiesRequest;
import io.allidb.original.proto.BatchPutEntitiesResponse;
import io.allidb.original.proto.Entity;
import io.allidb.original.proto.HealthCheckRequest;
import io.allidb.original.proto.HealthCheckResponse;
import io.allidb.original.proto.PutEntityResponse;
import io.allidb.original.proto.QueryRequest;
import io.allidb.original.proto.QueryResponse;
import io.allidb.original.proto.RangeScanRequest;
import io.allidb.original.proto.RangeScanResponse;
import io.allidb.original.proto.TextChunk;
import io.allidb.original.proto.VectorEmbedding;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node on a real TCP socket (Netty on 127.0.0.1), called by a client generated from the ORIGINAL
 * allidb.proto ({@code src/test/proto/original}): the wire contract of TARGET.md decision 11. Also
 * the transport-level features: health, reflection, message size limit.
 */
class DataplaneServerOverTcpIT {
  private static final int MAX_MESSAGE = 64 << 10;

  @TempDir Path dir;
  private TestNode node;
  private AlliDBGrpc.AlliDBBlockingStub original;

  @BeforeEach
  void start() throws Exception {
    node = TestNode.overTcp(dir, b -> b.maxInboundMessageBytes(MAX_MESSAGE));
    original = TestNode.withKey(AlliDBGrpc.newBlockingStub(node.channel), KEY_A);
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
  }

  private static Entity originalEntity(String id, float x, float y) {
    // as an original client must: it repeats its own tenant id in the body
    return Entity.newBuilder()
        .setEntityId(id)
        .setTenantId(TENANT_A)
        .setEntityType("document")
        .addEmbeddings(VectorEmbedding.newBuilder().setVersion(1).addVector(x).addVector(y))
        .addChunks(TextChunk.newBuilder().setChunkId(id + "#0").setText("hello " + id))
        .build();
  }

  @Test
  void originalClientPutsBatchesQueriesScansAndChecksHealth() {
    PutEntityResponse put =
        original.putEntity(
            io.allidb.original.proto.PutEntityRequest.newBuilder()
                .setEntity(originalEntity("doc-0", 1, 0))
                .build());
    assertThat(put.getSuccess()).isTrue();
    assertThat(put.getEntityId()).isEqualTo("doc-0");

    var batch = BatchPutEntitiesRequest.newBuilder();
    for (int i = 1; i < 12; i++) {
      batch.addEntities(originalEntity("doc-" + i, 1, i));
    }
    BatchPutEntitiesResponse batched = original.batchPutEntities(batch.build());
    assertThat(batched.getSuccess()).isTrue();
    assertThat(batched.getSuccessCount()).isEqualTo(11);
    assertThat(batched.getFailureCount()).isZero();

    QueryResponse query =
        original.query(
            QueryRequest.newBuilder()
                .addQueryVector(1)
                .addQueryVector(0)
                .setK(3)
                .setTraceId("trace-7")
                .build());
    assertThat(query.getTraceId()).isEqualTo("trace-7");
    assertThat(query.getTotalResults()).isEqualTo(3);
    assertThat(query.getResults(0).getEntityId()).isEqualTo("doc-0");
    assertThat(query.getResults(0).getScore()).isGreaterThan(query.getResults(1).getScore());
    assertThat(query.getResults(0).getEntity().getChunks(0).getText()).isEqualTo("hello doc-0");
    // the new breakdown (field 4) reaches the old client as an unknown field it can ignore
    assertThat(query.getResults(0).getUnknownFields().hasField(4)).isTrue();

    var ids = new ArrayList<String>();
    String token = "";
    do {
      RangeScanResponse page =
          original.rangeScan(
              RangeScanRequest.newBuilder()
                  .setTenantId(TENANT_A)
                  .setLimit(5)
                  .setPageToken(token)
                  .build());
      page.getEntitiesList().forEach(e -> ids.add(e.getEntityId()));
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    assertThat(ids).hasSize(12).doesNotHaveDuplicates().isSorted();

    HealthCheckResponse health = original.healthCheck(HealthCheckRequest.getDefaultInstance());
    assertThat(health.getHealthy()).isTrue();
    assertThat(health.getStatus()).isEqualTo("healthy");
    assertThat(health.getTimestampNanos()).isPositive();
  }

  @Test
  void standardHealthServiceReportsServingWithoutAKey() {
    var health = HealthGrpc.newBlockingStub(node.channel);
    var overall = health.check(io.grpc.health.v1.HealthCheckRequest.getDefaultInstance());
    var service =
        health.check(
            io.grpc.health.v1.HealthCheckRequest.newBuilder().setService("allidb.AlliDB").build());
    assertThat(overall.getStatus()).isEqualTo(ServingStatus.SERVING);
    assertThat(service.getStatus()).isEqualTo(ServingStatus.SERVING);
  }

  @Test
  void reflectionListsTheAlliDbAndHealthServices() throws Exception {
    var answer = new CompletableFuture<ServerReflectionResponse>();
    var stub = TestNode.withKey(ServerReflectionGrpc.newStub(node.channel), KEY_A);
    StreamObserver<ServerReflectionRequest> requests =
        stub.serverReflectionInfo(
            new StreamObserver<>() {
              @Override
              public void onNext(ServerReflectionResponse value) {
                answer.complete(value);
              }

              @Override
              public void onError(Throwable t) {
                answer.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {}
            });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("*").build());
    requests.onCompleted();

    var services = answer.get(30, TimeUnit.SECONDS).getListServicesResponse().getServiceList();
    assertThat(services)
        .extracting(ServiceResponse::getName)
        .contains("allidb.AlliDB", "grpc.health.v1.Health");
  }

  @Test
  void requestLargerThanTheLimitIsResourceExhausted() {
    var huge =
        io.allidb.api.proto.Entity.newBuilder()
            .setEntityId("big")
            .setEntityType("x".repeat(MAX_MESSAGE + 1))
            .build();
    assertStatus(
        () -> node.stub(KEY_A).putEntity(PutEntityRequest.newBuilder().setEntity(huge).build()),
        Status.Code.RESOURCE_EXHAUSTED,
        String.valueOf(MAX_MESSAGE));
  }

  @Test
  void closedNodeRefusesCallsAndCloseIsIdempotent() throws Exception {
    node.server.close();
    node.server.close();
    assertStatus(
        () -> original.healthCheck(HealthCheckRequest.getDefaultInstance()),
        Status.Code.UNAVAILABLE,
        "");
  }
}
