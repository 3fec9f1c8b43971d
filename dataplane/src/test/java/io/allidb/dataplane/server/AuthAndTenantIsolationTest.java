package io.allidb.dataplane.server;

import static io.allidb.dataplane.server.GrpcAssertions.assertStatus;
import static io.allidb.dataplane.server.TestNode.KEY_A;
import static io.allidb.dataplane.server.TestNode.KEY_B;
import static io.allidb.dataplane.server.TestNode.TENANT_A;
import static io.allidb.dataplane.server.TestNode.TENANT_B;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.allidb.api.proto.AlliDBGrpc.AlliDBBlockingStub;
import io.allidb.api.proto.DeleteEntityRequest;
import io.allidb.api.proto.Entity;
import io.allidb.api.proto.GetEntityRequest;
import io.allidb.api.proto.HealthCheckRequest;
import io.allidb.api.proto.PutEntityRequest;
import io.allidb.api.proto.QueryRequest;
import io.allidb.api.proto.RangeScanRequest;
import io.allidb.api.proto.ReplicaReadRequest;
import io.allidb.api.proto.ReplicaWriteRequest;
import io.allidb.api.proto.VectorEmbedding;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** API keys decide the tenant; no request field lets one tenant touch another's entities. */
class AuthAndTenantIsolationTest {
  @TempDir Path dir;
  private TestNode node;
  private AlliDBBlockingStub a;
  private AlliDBBlockingStub b;

  @BeforeEach
  void start() throws Exception {
    node = TestNode.inProcess(dir);
    a = node.stub(KEY_A);
    b = node.stub(KEY_B);
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
  }

  private static Entity entity(String id, String text) {
    return Entity.newBuilder()
        .setEntityId(id)
        .setEntityType(text)
        .addEmbeddings(VectorEmbedding.newBuilder().addVector(1).addVector(0))
        .build();
  }

  private static GetEntityRequest get(String id) {
    return GetEntityRequest.newBuilder().setEntityId(id).build();
  }

  @Test
  void sameIdInTwoTenantsAreTwoEntitiesAndNeitherKeySeesTheOther() {
    a.putEntity(PutEntityRequest.newBuilder().setEntity(entity("shared", "a-version")).build());
    b.putEntity(PutEntityRequest.newBuilder().setEntity(entity("only-b", "b")).build());
    b.putEntity(PutEntityRequest.newBuilder().setEntity(entity("shared", "b-version")).build());

    assertThat(a.getEntity(get("shared")).getEntity().getEntityType()).isEqualTo("a-version");
    assertThat(b.getEntity(get("shared")).getEntity().getEntityType()).isEqualTo("b-version");
    assertStatus(() -> a.getEntity(get("only-b")), Status.Code.NOT_FOUND, "not found");

    // A's delete of an id B also uses removes A's entity only
    a.deleteEntity(DeleteEntityRequest.newBuilder().setEntityId("shared").build());
    assertThat(b.getEntity(get("shared")).getEntity().getTenantId()).isEqualTo(TENANT_B);
    a.deleteEntity(DeleteEntityRequest.newBuilder().setEntityId("only-b").build());
    assertThat(b.getEntity(get("only-b")).hasEntity()).isTrue();

    assertThat(a.rangeScan(RangeScanRequest.getDefaultInstance()).getEntitiesCount()).isZero();
    assertThat(b.rangeScan(RangeScanRequest.getDefaultInstance()).getEntitiesList())
        .extracting(Entity::getEntityId)
        .containsExactly("only-b", "shared");
    var query = QueryRequest.newBuilder().addQueryVector(1).addQueryVector(0).setK(10).build();
    assertThat(a.query(query).getResultsCount()).isZero();
    assertThat(b.query(query).getResultsList())
        .allMatch(r -> r.getEntity().getTenantId().equals(TENANT_B));
  }

  @Test
  void namingAnotherTenantInARequestIsPermissionDenied() {
    assertStatus(
        () -> a.rangeScan(RangeScanRequest.newBuilder().setTenantId(TENANT_B).build()),
        Status.Code.PERMISSION_DENIED,
        "tenant ID mismatch");
    assertStatus(
        () ->
            a.putEntity(
                PutEntityRequest.newBuilder()
                    .setEntity(entity("x", "t").toBuilder().setTenantId(TENANT_B))
                    .build()),
        Status.Code.PERMISSION_DENIED,
        "tenant ID mismatch");
    assertThat(
            a.rangeScan(RangeScanRequest.newBuilder().setTenantId(TENANT_A).build())
                .getEntitiesCount())
        .isZero();
  }

  @Test
  void pageTokenOfOneTenantIsRejectedForAnother() {
    for (int i = 0; i < 3; i++) {
      b.putEntity(PutEntityRequest.newBuilder().setEntity(entity("b" + i, "t")).build());
    }
    String token =
        b.rangeScan(RangeScanRequest.newBuilder().setLimit(1).build()).getNextPageToken();
    assertStatus(
        () -> a.rangeScan(RangeScanRequest.newBuilder().setPageToken(token).build()),
        Status.Code.INVALID_ARGUMENT,
        "issued for another tenant");
  }

  @Test
  void replicaRpcsRefuseApiKeysAndSayTheyAreForNodeIdentities() {
    assertStatus(
        () ->
            a.replicaRead(
                ReplicaReadRequest.newBuilder()
                    .setKey(TENANT_B + ":x")
                    .setTenantId(TENANT_B)
                    .build()),
        Status.Code.PERMISSION_DENIED,
        "ReplicaRead is reserved for node-to-node traffic authenticated by a node identity (mTLS)");
    assertStatus(
        () ->
            a.replicaWrite(
                ReplicaWriteRequest.newBuilder()
                    .setKey(TENANT_A + ":x")
                    .setValue(ByteString.copyFromUtf8("row"))
                    .build()),
        Status.Code.PERMISSION_DENIED,
        "API keys cannot call it");
  }

  @Test
  void callsWithoutAValidKeyAreUnauthenticatedWithTheOriginalMessages() {
    var put = PutEntityRequest.newBuilder().setEntity(entity("x", "t")).build();
    assertStatus(
        () -> node.stub(null).putEntity(put), Status.Code.UNAUTHENTICATED, "missing API key");
    assertStatus(() -> node.stub("").putEntity(put), Status.Code.UNAUTHENTICATED, "empty API key");
    assertStatus(
        () -> node.stub("key-a.wrongwrongwrongwrongwrong").putEntity(put),
        Status.Code.UNAUTHENTICATED,
        "invalid API key");
    assertStatus(
        () -> node.stub(null).rangeScan(RangeScanRequest.getDefaultInstance()),
        Status.Code.UNAUTHENTICATED,
        "missing API key");
    assertStatus(
        () -> node.stub(null).replicaRead(ReplicaReadRequest.newBuilder().setKey("k").build()),
        Status.Code.UNAUTHENTICATED,
        "missing API key");
    assertStatus(() -> a.getEntity(get("x")), Status.Code.NOT_FOUND, "not found"); // none written
  }

  @Test
  void theNodeAdminApiNeedsTheAdminScope() {
    var info = io.allidb.api.admin.NodeInfoRequest.getDefaultInstance();
    assertStatus(
        () ->
            TestNode.withKey(io.allidb.api.admin.NodeAdminGrpc.newBlockingStub(node.channel), KEY_B)
                .nodeInfo(info),
        Status.Code.PERMISSION_DENIED,
        "API key key-b lacks scope admin for NodeInfo");
    assertThat(
            TestNode.withKey(io.allidb.api.admin.NodeAdminGrpc.newBlockingStub(node.channel), KEY_A)
                .nodeInfo(info)
                .getHostId())
        .isNotEmpty();
  }

  @Test
  void healthChecksNeedNoKey() {
    var health = node.stub(null).healthCheck(HealthCheckRequest.getDefaultInstance());
    assertThat(health.getHealthy()).isTrue();
    assertThat(health.getStatus()).isEqualTo("healthy");
    assertThat(health.getVersion()).isNotEmpty();
    assertThat(
            HealthGrpc.newBlockingStub(node.channel)
                .check(io.grpc.health.v1.HealthCheckRequest.getDefaultInstance())
                .getStatus())
        .isEqualTo(ServingStatus.SERVING);
  }
}
