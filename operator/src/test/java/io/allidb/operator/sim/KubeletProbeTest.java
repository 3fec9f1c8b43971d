package io.allidb.operator.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.operator.AlliClusters;
import io.allidb.operator.model.AlliClusterModel;
import io.allidb.operator.model.Ports;
import io.allidb.operator.pki.CertificateAuthority;
import io.allidb.operator.pki.Pem;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The probes the operator renders, run as the kubelet runs them ({@link KubeletProbe}) against real
 * nodes on loopback: issue 7 was a TLS cluster that never became Ready because its gRPC probe
 * cannot speak TLS. Also shows the simulated kubelet can fail a probe, so the simulated cluster's
 * Ready means what it means on Kubernetes.
 */
@Timeout(120)
class KubeletProbeTest {
  @TempDir Path dir;

  @Test
  void renderedProbesPassOnATlsNodeWhereAGrpcProbeCannot() throws Exception {
    var now = Instant.now();
    var ca = CertificateAuthority.create("probe-test", now, Duration.ofDays(1));
    // a name the probe's address (127.0.0.1) does not match: the kubelet checks no host name
    var leaf = CertificateAuthority.issue(ca, List.of("node.invalid"), now, Duration.ofDays(1));
    var cert =
        Files.writeString(dir.resolve("tls.crt"), Pem.certificates(List.of(leaf.certificate())));
    var key = Files.writeString(dir.resolve("tls.key"), Pem.privateKey(leaf.key()));

    try (var node = start("tls-0", "--tls-cert=" + cert, "--tls-key=" + key)) {
      var ports = loopback(node);
      var tlsRendered = renderedContainer(true);
      assertThat(KubeletProbe.succeeds(tlsRendered.getStartupProbe(), tlsRendered, ports))
          .as("HTTPS /readyz (startup)")
          .isTrue();
      assertThat(KubeletProbe.succeeds(tlsRendered.getReadinessProbe(), tlsRendered, ports))
          .as("HTTPS /readyz (readiness)")
          .isTrue();
      assertThat(KubeletProbe.succeeds(tlsRendered.getLivenessProbe(), tlsRendered, ports))
          .as("HTTPS /livez (liveness)")
          .isTrue();
      var plainRendered = renderedContainer(false);
      assertThat(KubeletProbe.succeeds(plainRendered.getReadinessProbe(), plainRendered, ports))
          .as("plain HTTP against the HTTPS port")
          .isFalse();
      assertThat(KubeletProbe.succeeds(grpcProbe(), tlsRendered, ports))
          .as("the kubelet's plaintext gRPC probe against the TLS gRPC port (issue 7)")
          .isFalse();
    }
  }

  @Test
  void bothProbeKindsPassOnAPlaintextNode() throws Exception {
    try (var node = start("plain-0")) {
      var ports = loopback(node);
      var rendered = renderedContainer(false);
      assertThat(KubeletProbe.succeeds(rendered.getReadinessProbe(), rendered, ports)).isTrue();
      assertThat(KubeletProbe.succeeds(rendered.getLivenessProbe(), rendered, ports)).isTrue();
      assertThat(KubeletProbe.succeeds(grpcProbe(), rendered, ports)).isTrue();
      var tlsRendered = renderedContainer(true);
      assertThat(KubeletProbe.succeeds(tlsRendered.getReadinessProbe(), tlsRendered, ports))
          .as("HTTPS against a plain HTTP port")
          .isFalse();
    }
    var unbound = renderedContainer(false);
    assertThat(KubeletProbe.succeeds(unbound.getReadinessProbe(), unbound, port -> -1))
        .as("nothing listens")
        .isFalse();
  }

  private InJvmNode start(String name, String... extra) throws Exception {
    var args =
        new ArrayList<>(
            List.of(
                "--data-dir=" + Files.createDirectories(dir.resolve(name)),
                "--node-id=" + name,
                "--bind=127.0.0.1",
                "--grpc-port=0",
                "--http-port=0",
                "--embedding-provider=none"));
    args.addAll(List.of(extra));
    return InJvmNode.start(name, args, Map.of());
  }

  /** The node's real ports in place of the container ports, as the simulated kubelet maps them. */
  private static IntUnaryOperator loopback(InJvmNode node) {
    return port ->
        switch (port) {
          case Ports.GRPC -> node.server().port();
          case Ports.HTTP -> node.server().httpPort();
          default -> -1;
        };
  }

  private static Container renderedContainer(boolean tls) {
    var cluster = AlliClusters.withReplicas(3);
    cluster.getSpec().getTls().setEnabled(tls);
    return AlliClusterModel.of(cluster)
        .statefulSets()
        .get("default")
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0);
  }

  /** What the operator rendered before issue 7 was fixed. */
  private static Probe grpcProbe() {
    return new ProbeBuilder()
        .withNewGrpc()
        .withPort(Ports.GRPC)
        .endGrpc()
        .withTimeoutSeconds(3)
        .build();
  }
}
