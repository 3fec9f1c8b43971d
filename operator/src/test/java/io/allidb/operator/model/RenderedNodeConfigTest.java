package io.allidb.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.dataplane.cli.ServerLaunch;
import io.allidb.operator.AlliClusters;
import io.allidb.operator.api.AlliCluster;
import io.allidb.operator.sim.PodLaunch;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model and the node stay in sync: the ConfigMap and the container args and env the operator
 * renders are fed, unchanged, to the node's own configuration code ({@link ServerLaunch}, what
 * {@code allidb server} runs), and the node ends up configured as the spec says. This test lives in
 * the operator module (with a test dependency on the data plane) rather than parsing a golden file
 * in the data plane, so a change on either side breaks it at once. The simulated cluster ({@code
 * SimulatedClusterIT}) then starts real nodes from the same rendering.
 */
class RenderedNodeConfigTest {
  @TempDir Path dir;

  private ServerLaunch.Launch launch(AlliCluster cluster, String pod) throws Exception {
    var desired = AlliClusterModel.of(cluster);
    var configDir = Files.createDirectories(dir.resolve(pod));
    desired
        .configMap()
        .getData()
        .forEach(
            (name, content) -> {
              try {
                Files.writeString(configDir.resolve(name), content);
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    var rack = pod.substring("demo-".length(), pod.lastIndexOf('-'));
    var sts = desired.statefulSets().get(rack);
    // only the ConfigMap is mounted here: the asserts below compare the other paths as rendered
    var pl =
        PodLaunch.of(
            sts,
            pod,
            "db",
            "10.0.0.7",
            v -> v.replace(NodeStatefulSet.CONFIG_PATH, configDir.toString()));
    assertThat(pl.args().get(0)).isEqualTo("server");
    return ServerLaunch.prepare(
        pl.args().subList(1, pl.args().size()), pl.env(), new PrometheusRegistry());
  }

  @Test
  void aRenderedPodStartsAsTheSpecSays() throws Exception {
    var cluster = AlliClusters.withReplicas(3);
    cluster.getSpec().setConfig(Map.of("server.vector-dimension", "384"));

    var first = launch(cluster, "demo-default-0");
    var c = first.config();
    assertThat(first.clusterNode()).isTrue();
    assertThat(c.nodeId()).isEqualTo("demo-default-0");
    assertThat(c.hostId())
        .as("the operator maps ring members to pods by host id")
        .isEqualTo("demo-default-0");
    assertThat(c.dataDir()).isEqualTo(Path.of(NodeStatefulSet.DATA_PATH));
    assertThat(c.grpcPort()).isEqualTo(Ports.GRPC);
    assertThat(c.httpPort()).isEqualTo(Ports.HTTP);
    assertThat(c.apiKeyFile()).isEqualTo(Path.of(NodeStatefulSet.KEY_SET_PATH));
    assertThat(c.vectorDimension()).isEqualTo(384);
    var k = c.cluster();
    assertThat(k.clusterName()).isEqualTo("demo");
    assertThat(k.rack()).isEqualTo("default");
    assertThat(k.replicationFactor()).isEqualTo(3);
    assertThat(k.vnodes()).isEqualTo(16);
    assertThat(k.internodePort()).isEqualTo(Ports.INTERNODE);
    assertThat(k.seedDnsName()).isEqualTo("demo-nodes.db.svc");
    assertThat(k.publishedAddress())
        .as("a stable DNS name, never the pod IP")
        .isEqualTo("demo-default-0.demo-nodes.db.svc:" + Ports.INTERNODE);
    assertThat(k.initialNode()).as("pod 0 starts the ring").isTrue();
    assertThat(k.plaintextInternode()).as("spec.tls.enabled=false").isTrue();

    var second = launch(cluster, "demo-default-1").config().cluster();
    assertThat(second.initialNode()).as("every other pod joins").isFalse();
    assertThat(second.publishedAddress()).startsWith("demo-default-1.demo-nodes.db.svc:");
  }

  @Test
  void withTlsTheNodeServesTheMountedCertificatesAndInternodeMtls() throws Exception {
    var cluster = AlliClusters.withRacks(1, "zone-a", "zone-b", "zone-c");
    cluster.getSpec().getTls().setEnabled(true);
    var c = launch(cluster, "demo-r2-0").config();
    assertThat(c.cluster().rack()).isEqualTo("r2");
    assertThat(c.cluster().initialNode()).as("only the first rack's pod 0").isFalse();
    assertThat(c.cluster().plaintextInternode()).isFalse();
    // tls.crt: the pod's own demo-r2-0.tls.crt does not exist on this machine
    assertThat(c.security().publicTls().certificateChain())
        .isEqualTo(Path.of(NodeStatefulSet.CLIENT_TLS_PATH, "tls.crt"));
    assertThat(c.security().internodeTls().certificateChain())
        .isEqualTo(Path.of(NodeStatefulSet.INTERNODE_TLS_PATH, "tls.crt"));
    // a joining pod of any rack passes the internode identity rule before it is a member
    assertThat(c.security().internodePeerNames().matcher("demo-r1-4").matches()).isTrue();
    assertThat(c.security().internodePeerNames().matcher("demo-r2-0").matches()).isTrue();
    assertThat(c.security().internodePeerNames().matcher("other-r1-0").matches()).isFalse();
  }

  @Test
  void everyKeyTheOperatorWritesOrLetsUsersSetIsANodeKey() {
    assertThat(ServerLaunch.configKeys())
        .containsAll(NodeConfig.OPERATOR_KEYS)
        .containsAll(NodeConfig.USER_KEYS);
  }
}
