package io.allidb.operator.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.allidb.dataplane.cli.ServerLaunch;
import io.allidb.dataplane.security.ApiKeyGenerator;
import io.allidb.dataplane.security.KeySetFormat;
import io.allidb.dataplane.security.Scope;
import io.allidb.dataplane.server.ClusterRuntime;
import io.allidb.dataplane.server.DataplaneServer;
import io.allidb.operator.api.RingMemberState;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link GrpcNodeAdmin} against a real node on a loopback port: the proto mapped to the operator's
 * records, the admin key read from a Secret (mock API server) and checked by the node, and every
 * failure a {@link NodeAdminException} that names the node, the RPC and the status.
 */
@EnableKubernetesMockClient(crud = true)
@Timeout(60)
class GrpcNodeAdminTest {
  KubernetesClient client;
  @TempDir Path dir;
  DataplaneServer node;
  GrpcNodeAdmin admin;
  String adminKey;
  String dataKey;

  @BeforeEach
  void startNode() throws Exception {
    var adminMinted = ApiKeyGenerator.mint("operator", "ops", EnumSet.of(Scope.ADMIN), null, null);
    var dataMinted =
        ApiKeyGenerator.mint("app", "acme", EnumSet.of(Scope.READ, Scope.WRITE), null, null);
    adminKey = adminMinted.presented();
    dataKey = dataMinted.presented();
    var keys = dir.resolve("keys");
    Files.writeString(
        keys,
        "# generation: 4\n"
            + KeySetFormat.format(adminMinted.entry())
            + "\n"
            + KeySetFormat.format(dataMinted.entry())
            + "\n");
    var launch =
        ServerLaunch.prepare(
            List.of(
                "--data-dir=" + dir.resolve("data"),
                "--node-id=demo-default-0",
                "--bind=127.0.0.1",
                "--grpc-port=0",
                "--http-port=-1",
                "--api-key-file=" + keys,
                "--embedding-provider=none"),
            Map.of(),
            new PrometheusRegistry());
    var config = launch.config();
    node =
        new DataplaneServer(
                DataplaneServer.forNetty(config),
                config,
                DataplaneServer.graphRag(config),
                ClusterRuntime::singleNode)
            .start();
    admin = new GrpcNodeAdmin(this::credential, Duration.ofSeconds(5), Duration.ofSeconds(30));
  }

  private AdminCredentials.Credential credential(AdminAccess access) {
    return new SecretAdminCredentials(client).read(access);
  }

  @AfterEach
  void stop() throws Exception {
    admin.close();
    node.close();
  }

  private void secret(String key, String value) {
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("demo-operator-admin")
                .withNamespace("db")
                .endMetadata()
                .withData(
                    Map.of(
                        key,
                        Base64.getEncoder()
                            .encodeToString(value.getBytes(StandardCharsets.US_ASCII))))
                .build())
        .createOr(r -> r.update());
  }

  private NodeAddress address(int port) {
    return new NodeAddress(
        "demo-default-0",
        "127.0.0.1",
        port,
        new AdminAccess(false, true, "db", "demo-operator-admin"));
  }

  @Test
  void mapsIdentityAndRingWithTheAdminKeyFromTheSecret() {
    secret(SecretAdminCredentials.API_KEY, adminKey);
    var info = admin.nodeInfo(address(node.port()));
    assertThat(info.hostId()).isEqualTo("demo-default-0");
    assertThat(info.state()).isEqualTo(RingMemberState.NORMAL);
    assertThat(info.hintsPending()).isZero();

    var view = admin.ringView(address(node.port()));
    assertThat(view.members())
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.pod()).as("pod = host id").isEqualTo("demo-default-0");
              assertThat(m.state()).isEqualTo(RingMemberState.NORMAL);
            });
    assertThat(admin.decommissionStatus(address(node.port())))
        .isEqualTo(DecommissionStatus.NOT_STARTED);
  }

  @Test
  void theTokenMapHoldsOnlyMembersThatServeTheirTokens() {
    var reply = io.allidb.api.admin.RingViewReply.newBuilder().setRingEpoch(9);
    reply.setReplicationFactor(3);
    var states =
        Map.of(
            "a", io.allidb.api.admin.MemberState.NORMAL,
            "b", io.allidb.api.admin.MemberState.LEAVING,
            "c", io.allidb.api.admin.MemberState.JOINING,
            "d", io.allidb.api.admin.MemberState.LEFT);
    long token = 0;
    for (var e : new java.util.TreeMap<>(states).entrySet()) {
      reply.addMembers(
          io.allidb.api.admin.RingMember.newBuilder()
              .setHostId(e.getKey())
              .setRack("r")
              .setStatus(e.getValue())
              // a NORMAL member this node cannot reach is DOWN in state, still NORMAL in status
              .setState(
                  e.getKey().equals("a") ? io.allidb.api.admin.MemberState.DOWN : e.getValue())
              .addTokens(token += 100));
    }

    var map = GrpcNodeAdmin.tokenMap(reply.build());

    assertThat(map.tokens()).containsOnlyKeys("a", "b");
    assertThat(map.racks()).containsOnlyKeys("a", "b");
    assertThat(map.epoch()).isEqualTo(9);
  }

  @Test
  void dayTwoCallsMapTheNodesAnswers() {
    secret(SecretAdminCredentials.API_KEY, adminKey);
    var at = address(node.port());

    var map = admin.tokenMap(at);
    var ring = admin.ringView(at);
    assertThat(map.epoch()).isEqualTo(ring.epoch());
    assertThat(map.replicationFactor()).isPositive();
    assertThat(map.tokens()).containsOnlyKeys("demo-default-0");
    assertThat(map.tokens().get("demo-default-0")).isNotEmpty();
    assertThat(map.racks()).containsKey("demo-default-0");

    // the key set says generation 4; the node serves no TLS, so no certificate generation
    var generations = admin.reloadSecrets(at);
    assertThat(generations).isEqualTo(new SecretGenerations(4, 0));
    var info = admin.nodeInfo(at);
    assertThat(info.keySetGeneration()).isEqualTo(generations.keySet());
    assertThat(info.certificateGeneration()).isEqualTo(generations.certificate());

    assertThat(admin.repairStatus(at, ""))
        .satisfies(
            p -> {
              assertThat(p.state()).isEqualTo(RepairProgress.State.NONE);
              assertThat(p.message()).isEqualTo("no repair has run on this node");
            });
    var started = admin.startRepair(at, List.of(new TokenRange(-100, 100)), 1.0);
    System.out.println("startRepair answered " + started);
    assertThat(started.repairId()).isNotEmpty();
    assertThat(started.state()).isNotEqualTo(RepairProgress.State.NONE);
    assertThat(admin.repairStatus(at, started.repairId()).repairId()).isEqualTo(started.repairId());
    assertThat(admin.repairStatus(at, "no-such-repair").state())
        .isEqualTo(RepairProgress.State.NONE);
  }

  @Test
  void startRepairWithABadIntensityKeepsTheNodesStatusAndMessage() {
    secret(SecretAdminCredentials.API_KEY, adminKey);
    assertThatThrownBy(
            () -> admin.startRepair(address(node.port()), List.of(new TokenRange(0, 0)), 7.0))
        .isInstanceOfSatisfying(
            NodeAdminException.class,
            e -> {
              assertThat(e.code()).isEqualTo(io.grpc.Status.Code.INVALID_ARGUMENT);
              assertThat(e.getMessage())
                  .contains("StartRepair failed: INVALID_ARGUMENT: intensity must be in (0, 1]");
            });
  }

  @Test
  void aDataKeyIsRefusedAndTheErrorNamesNodeRpcAndStatus() {
    secret(SecretAdminCredentials.API_KEY, dataKey);
    assertThatThrownBy(() -> admin.nodeInfo(address(node.port())))
        .isInstanceOf(NodeAdminException.class)
        .hasMessageContaining("demo-default-0@127.0.0.1:" + node.port())
        .hasMessageContaining("NodeInfo failed: PERMISSION_DENIED")
        .hasMessageNotContaining(dataKey.substring(dataKey.indexOf('.') + 1));
  }

  @Test
  void aRotatedKeyInTheSecretIsUsedAtTheNextCall() {
    secret(SecretAdminCredentials.API_KEY, dataKey);
    assertThatThrownBy(() -> admin.nodeInfo(address(node.port())))
        .isInstanceOfSatisfying(
            NodeAdminException.class,
            e -> assertThat(e.code()).isEqualTo(io.grpc.Status.Code.PERMISSION_DENIED));
    secret(SecretAdminCredentials.API_KEY, adminKey);
    assertThat(admin.nodeInfo(address(node.port())).hostId()).isEqualTo("demo-default-0");
  }

  @Test
  void aMissingSecretOrKeyIsNamed() {
    assertThatThrownBy(() -> admin.nodeInfo(address(node.port())))
        .isInstanceOf(NodeAdminException.class)
        .hasMessageContaining("admin Secret db/demo-operator-admin does not exist");
    secret("wrong-key", adminKey);
    assertThatThrownBy(() -> admin.nodeInfo(address(node.port())))
        .hasMessageContaining("has no key 'api-key'");
  }

  @Test
  void anUnreachableNodeIsUnavailableWithinTheDeadline() throws Exception {
    secret(SecretAdminCredentials.API_KEY, adminKey);
    int closed;
    try (var s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    assertThatThrownBy(() -> admin.ringView(address(closed)))
        .isInstanceOf(NodeAdminException.class)
        .hasMessageContaining("RingView failed: UNAVAILABLE");
  }
}
