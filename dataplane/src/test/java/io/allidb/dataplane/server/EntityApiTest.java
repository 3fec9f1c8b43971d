package io.allidb.dataplane.server;

import static io.allidb.dataplane.server.GrpcAssertions.assertStatus;
import static io.allidb.dataplane.server.TestNode.KEY_A;
import static io.allidb.dataplane.server.TestNode.TENANT_A;
import static io.allidb.dataplane.server.TestNode.TENANT_B;
import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.api.proto.AlliDBGrpc.AlliDBBlockingStub;
import io.allidb.api.proto.BatchPutEntitiesRequest;
import io.allidb.api.proto.DeleteEntityRequest;
import io.allidb.api.proto.Entity;
import io.allidb.api.proto.GetEntityRequest;
import io.allidb.api.proto.PutEntityRequest;
import io.allidb.api.proto.RangeScanRequest;
import io.allidb.api.proto.RangeScanResponse;
import io.allidb.api.proto.VectorEmbedding;
import io.allidb.dataplane.testing.Entities;
import io.grpc.Status;
import java.nio.file.Path;
import java.util.ArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Put, batch, get, delete and range scan through real stubs over the in-process transport. */
class EntityApiTest {
  @TempDir Path dir;
  private TestNode node;
  private AlliDBBlockingStub a;

  @BeforeEach
  void start() throws Exception {
    node = TestNode.inProcess(dir, java.time.Clock.systemUTC(), b -> b.vectorDimension(3));
    a = node.stub(KEY_A);
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
  }

  private static Entity withVector(String id, float... v) {
    var e = VectorEmbedding.newBuilder().setVersion(42).setTimestampNanos(7);
    for (float f : v) {
      e.addVector(f);
    }
    return Entities.doc(id, "text of " + id).toBuilder().addEmbeddings(e).build();
  }

  @Test
  void putThenGetReturnsTheStoredFormThenDeleteMakesItNotFound() {
    var put =
        a.putEntity(PutEntityRequest.newBuilder().setEntity(withVector("doc-1", 1, 0, 0)).build());
    assertThat(put.getSuccess()).isTrue();
    assertThat(put.getEntityId()).isEqualTo("doc-1");

    Entity got =
        a.getEntity(GetEntityRequest.newBuilder().setEntityId("doc-1").build()).getEntity();
    assertThat(got.getTenantId()).isEqualTo(TENANT_A);
    assertThat(got.getChunks(0).getText()).isEqualTo("text of doc-1");
    // the original's put semantics: versions renumbered 1..n, server timestamps
    assertThat(got.getEmbeddings(0).getVersion()).isEqualTo(1);
    assertThat(got.getEmbeddings(0).getTimestampNanos()).isGreaterThan(7);
    assertThat(got.getUpdatedAtNanos()).isEqualTo(got.getEmbeddings(0).getTimestampNanos());

    var del = a.deleteEntity(DeleteEntityRequest.newBuilder().setEntityId("doc-1").build());
    assertThat(del.getSuccess()).isTrue();
    assertThat(del.getEntityId()).isEqualTo("doc-1");
    assertStatus(
        () -> a.getEntity(GetEntityRequest.newBuilder().setEntityId("doc-1").build()),
        Status.Code.NOT_FOUND,
        "entity doc-1 not found");
  }

  @Test
  void putRejectsMissingEntityEmptyIdForeignTenantAndWrongDimension() {
    assertStatus(
        () -> a.putEntity(PutEntityRequest.getDefaultInstance()),
        Status.Code.INVALID_ARGUMENT,
        "entity is required");
    assertStatus(
        () -> a.putEntity(PutEntityRequest.newBuilder().setEntity(withVector("", 1, 2, 3)).build()),
        Status.Code.INVALID_ARGUMENT,
        "entity_id is required");
    assertStatus(
        () ->
            a.putEntity(
                PutEntityRequest.newBuilder()
                    .setEntity(withVector("x", 1, 2, 3).toBuilder().setTenantId(TENANT_B))
                    .build()),
        Status.Code.PERMISSION_DENIED,
        "tenant ID mismatch");
    assertStatus(
        () -> a.putEntity(PutEntityRequest.newBuilder().setEntity(withVector("x", 1, 2)).build()),
        Status.Code.INVALID_ARGUMENT,
        "has dimension 2; this node expects 3");
    assertStatus(
        () ->
            a.putEntity(
                PutEntityRequest.newBuilder().setEntity(withVector("x", 1, Float.NaN, 3)).build()),
        Status.Code.INVALID_ARGUMENT,
        "non-finite value at index 1");
  }

  @Test
  void putAcceptsTheAuthenticatedTenantSpelledOutAsTheOriginalRequired() {
    var put =
        a.putEntity(
            PutEntityRequest.newBuilder()
                .setEntity(withVector("x", 1, 2, 3).toBuilder().setTenantId(TENANT_A))
                .build());
    assertThat(put.getSuccess()).isTrue();
  }

  @Test
  void batchCountsEmptyIdAndForeignTenantAsFailuresAndStoresTheRest() {
    var response =
        a.batchPutEntities(
            BatchPutEntitiesRequest.newBuilder()
                .addEntities(withVector("good-1", 1, 0, 0))
                .addEntities(withVector("", 1, 0, 0))
                .addEntities(withVector("foreign", 1, 0, 0).toBuilder().setTenantId(TENANT_B))
                .addEntities(withVector("good-2", 0, 1, 0))
                .build());
    assertThat(response.getSuccess()).isFalse();
    assertThat(response.getSuccessCount()).isEqualTo(2);
    assertThat(response.getFailureCount()).isEqualTo(2);
    assertThat(response.getEntityIdsList()).containsExactly("good-1", "good-2");
    assertThat(response.getErrorMessage()).isEqualTo("tenant ID mismatch for entity foreign");
    assertThat(a.getEntity(GetEntityRequest.newBuilder().setEntityId("good-2").build()).hasEntity())
        .isTrue();
    assertStatus(
        () -> a.getEntity(GetEntityRequest.newBuilder().setEntityId("foreign").build()),
        Status.Code.NOT_FOUND,
        "not found");
  }

  @Test
  void batchWithNoEntitiesIsInvalid() {
    assertStatus(
        () -> a.batchPutEntities(BatchPutEntitiesRequest.getDefaultInstance()),
        Status.Code.INVALID_ARGUMENT,
        "at least one entity is required");
  }

  @Test
  void getAndDeleteRequireAnId() {
    assertStatus(
        () -> a.getEntity(GetEntityRequest.getDefaultInstance()),
        Status.Code.INVALID_ARGUMENT,
        "entity_id is required");
    assertStatus(
        () -> a.deleteEntity(DeleteEntityRequest.getDefaultInstance()),
        Status.Code.INVALID_ARGUMENT,
        "entity_id is required");
  }

  @Test
  void rangeScanPagesThroughEveryEntityInIdOrderWithOpaqueTokens() {
    var batch = BatchPutEntitiesRequest.newBuilder();
    for (int i = 0; i < 25; i++) {
      batch.addEntities(withVector(String.format("e%03d", i), 1, 0, 0));
    }
    assertThat(a.batchPutEntities(batch.build()).getSuccessCount()).isEqualTo(25);

    var seen = new ArrayList<String>();
    var tokens = new ArrayList<String>();
    String token = "";
    do {
      RangeScanResponse page =
          a.rangeScan(
              RangeScanRequest.newBuilder()
                  .setStartKey("e003")
                  .setEndKey("e023")
                  .setLimit(6)
                  .setPageToken(token)
                  .build());
      assertThat(page.getEntitiesCount()).isLessThanOrEqualTo(6);
      page.getEntitiesList().forEach(e -> seen.add(e.getEntityId()));
      token = page.getNextPageToken();
      tokens.add(token);
    } while (!token.isEmpty());

    var expected = new ArrayList<String>();
    for (int i = 3; i < 23; i++) {
      expected.add(String.format("e%03d", i));
    }
    assertThat(seen).isEqualTo(expected);
    assertThat(tokens).hasSize(4);
    assertThat(tokens.get(0)).doesNotMatch("\\d+"); // not the original's decimal offset
  }

  @Test
  void rangeScanDefaultsLimitTo100AndCapsItAt1000() {
    var batch = BatchPutEntitiesRequest.newBuilder();
    for (int i = 0; i < 1005; i++) {
      batch.addEntities(Entity.newBuilder().setEntityId(String.format("k%05d", i)));
    }
    a.batchPutEntities(batch.build());
    assertThat(a.rangeScan(RangeScanRequest.getDefaultInstance()).getEntitiesCount())
        .isEqualTo(100);
    var capped = a.rangeScan(RangeScanRequest.newBuilder().setLimit(50_000).build());
    assertThat(capped.getEntitiesCount()).isEqualTo(1000);
    assertThat(capped.getNextPageToken()).isNotEmpty();
  }

  @Test
  void rangeScanRejectsMalformedTokensAndUnknownNodes() {
    assertStatus(
        () -> a.rangeScan(RangeScanRequest.newBuilder().setPageToken("12").build()),
        Status.Code.INVALID_ARGUMENT,
        "invalid page token");
    assertStatus(
        () -> a.rangeScan(RangeScanRequest.newBuilder().setNodeId("node-9").build()),
        Status.Code.NOT_FOUND,
        "address for node node-9 not found");
    assertThat(
            a.rangeScan(RangeScanRequest.newBuilder().setNodeId("node-1").build())
                .getEntitiesCount())
        .isZero();
  }

  @Test
  void deletingAnAbsentEntitySucceeds() {
    assertThat(
            a.deleteEntity(DeleteEntityRequest.newBuilder().setEntityId("never").build())
                .getSuccess())
        .isTrue();
  }
}
