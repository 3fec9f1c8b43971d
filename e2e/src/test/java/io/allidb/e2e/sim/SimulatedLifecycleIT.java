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
   * The rotation scenario with TLS, as on k3s: API keys, then both CAs (TrustNew, SignWithNew,
   * Steady), an application reading at QUORUM throughout. The application trusts {@code ca.crt} of
   * the client TLS Secret, re-read from the API server about every second, and checks the client
   * Service's name ({@code demo.db.svc}) on every pod's leaf, as docs/operations.md ("What
   * applications must do") tells applications to; the operator reaches the pods at 127.0.0.1 and
   * checks their pod DNS names ({@code SimulatedCluster.addresses}). One run covers both rotations,
   * which keeps the module about as fast as a key-only run; the lifecycle run above covers the
   * plaintext client path.
   */
  @Test
  @Timeout(420)
  void apiKeysAndCasRotateOverTlsWhileAnApplicationReads() throws Exception {
    try (var cluster =
        SimulatedClusterUnderTest.install(server, client, root, Scenarios.NAMESPACE)) {
      Scenarios.rotation(IMAGE, true).run(cluster, Scenarios.NAMESPACE);
    }
  }
}
