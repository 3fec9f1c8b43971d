package io.allidb.e2e.sim;

import io.allidb.e2e.scenario.Scenarios;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The k3s suite's scenarios ({@link Scenarios}) on the simulated cluster installed from the chart
 * ({@link SimulatedClusterUnderTest}), in {@code ./mvnw verify}. The image is never pulled here:
 * the simulated kubelet runs the node in this JVM from the rendered container args.
 */
@EnableKubernetesMockClient(crud = true)
class SimulatedLifecycleIT {
  static final String IMAGE = "ghcr.io/allidb/allidb:0.1.0-SNAPSHOT";

  KubernetesMockServer server;
  KubernetesClient client;
  @TempDir Path root;

  @Test
  @Timeout(480)
  void aClusterLivesThroughScalingPodLossAndDeletion() throws Exception {
    try (var cluster =
        SimulatedClusterUnderTest.install(server, client, root, Scenarios.NAMESPACE)) {
      Scenarios.lifecycle(IMAGE).run(cluster, Scenarios.NAMESPACE);
    }
  }

  /**
   * Key rotation only, without TLS. With TLS the simulation stops at the first node: the operator
   * reaches pods at 127.0.0.1 (SimulatedCluster.addresses), which no pod certificate names, and
   * NodeAddress carries no TLS authority to check instead, so every admin call fails the hostname
   * check (UNAVAILABLE) and the join never completes; the simulated kubelet's readiness check is
   * plaintext too. The TLS half of the scenario (rotate-ca) runs on k3s only.
   */
  @Test
  @Timeout(300)
  void apiKeysRotateWhileAnApplicationReads() throws Exception {
    try (var cluster =
        SimulatedClusterUnderTest.install(server, client, root, Scenarios.NAMESPACE)) {
      Scenarios.rotation(IMAGE, false).run(cluster, Scenarios.NAMESPACE);
    }
  }
}
