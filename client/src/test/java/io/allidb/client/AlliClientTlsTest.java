package io.allidb.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.allidb.api.proto.Entity;
import io.allidb.dataplane.security.ClientAuth;
import io.allidb.dataplane.security.SecurityOptions;
import io.allidb.dataplane.security.TlsFiles;
import io.allidb.dataplane.testing.TestPki;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real TLS handshakes (BouncyCastle-minted certificates) with a node that requires client
 * certificates: the client verifies the node, presents its certificate and still needs its key.
 */
class AlliClientTlsTest {
  @TempDir Path dir;
  private final TestPki.Ca ca = TestPki.newCa("allidb-test-ca");
  private final TestPki.Ca otherCa = TestPki.newCa("someone-elses-ca");
  private RealNode node;
  private Path clientDir;

  @BeforeEach
  void start() throws Exception {
    Path serverTls =
        TestPki.write(dir.resolve("server-tls"), ca.issue("n1", "localhost", "127.0.0.1"), ca);
    clientDir = TestPki.write(dir.resolve("client-tls"), ca.issue("app-1"), ca);
    var security =
        SecurityOptions.builder()
            .publicTls(TlsFiles.inDirectory(serverTls), ClientAuth.REQUIRE)
            .build();
    node = new RealNode(dir.resolve("node"), security).start();
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
  }

  private AlliClient.Builder mtls() {
    return AlliClient.builder()
        .trustBundle(clientDir.resolve("ca.crt"))
        .clientCertificate(clientDir.resolve("tls.crt"), clientDir.resolve("tls.key"))
        .apiKey(RealNode.KEY)
        .deadline(Duration.ofSeconds(10));
  }

  @Test
  void mutualTlsWithTheApiKeyWorksByHostNameAndByIpAddress() {
    try (var byName = mtls().target("localhost:" + node.port()).build();
        var byIp = mtls().nodes(node.address()).build()) {
      byName.put(Entity.newBuilder().setEntityId("e1").setEntityType("doc").build());
      assertThat(byIp.get("e1")).isPresent();
    }
  }

  @Test
  void aWrongKeyOverTlsIsAnAuthenticationError() {
    try (var client =
        mtls()
            .apiKey("app-1.wrong-secret-wrong-secret-wrong-secret-xx")
            .target("localhost:" + node.port())
            .build()) {
      assertThatThrownBy(() -> client.get("e1"))
          .isInstanceOfSatisfying(
              AuthenticationException.class,
              e -> assertThat(e.serverMessage()).isEqualTo("invalid API key"));
    }
  }

  @Test
  void handshakesFailWithoutTrustOrClientCertificateOrTls() throws Exception {
    Path foreign = TestPki.write(dir.resolve("foreign"), otherCa.issue("app-2"), otherCa);
    var fast = Duration.ofSeconds(5);
    // the client does not trust the node's CA
    try (var untrusting =
        AlliClient.builder()
            .target("localhost:" + node.port())
            .trustBundle(foreign.resolve("ca.crt"))
            .clientCertificate(clientDir.resolve("tls.crt"), clientDir.resolve("tls.key"))
            .apiKey(RealNode.KEY)
            .deadline(fast)
            .build()) {
      assertThatThrownBy(() -> untrusting.put(Entity.newBuilder().setEntityId("x").build()))
          .isInstanceOf(UnavailableException.class);
    }
    // no client certificate, or one from another CA: the node refuses the handshake
    try (var noCert =
            AlliClient.builder()
                .target("localhost:" + node.port())
                .trustBundle(clientDir.resolve("ca.crt"))
                .apiKey(RealNode.KEY)
                .deadline(fast)
                .build();
        var foreignCert =
            mtls()
                .clientCertificate(foreign.resolve("tls.crt"), foreign.resolve("tls.key"))
                .target("localhost:" + node.port())
                .deadline(fast)
                .build()) {
      assertThatThrownBy(() -> noCert.put(Entity.newBuilder().setEntityId("x").build()))
          .isInstanceOf(UnavailableException.class);
      assertThatThrownBy(() -> foreignCert.put(Entity.newBuilder().setEntityId("x").build()))
          .isInstanceOf(UnavailableException.class);
    }
    // the certificate names localhost and 127.0.0.1, not this authority
    try (var wrongName =
        mtls()
            .target("localhost:" + node.port())
            .authority("allidb.example.com")
            .deadline(fast)
            .build()) {
      assertThatThrownBy(() -> wrongName.put(Entity.newBuilder().setEntityId("x").build()))
          .isInstanceOf(UnavailableException.class);
    }
    // plaintext against a TLS port
    try (var plain =
        AlliClient.builder()
            .target(node.address())
            .plaintext()
            .apiKey(RealNode.KEY)
            .deadline(fast)
            .build()) {
      assertThatThrownBy(() -> plain.put(Entity.newBuilder().setEntityId("x").build()))
          .isInstanceOf(UnavailableException.class);
    }
  }

  @Test
  void unreadableTlsFilesAreNamedAtBuildTime() {
    assertThatThrownBy(
            () ->
                AlliClient.builder()
                    .target("localhost:1")
                    .trustBundle(clientDir.resolve("ca.crt"))
                    .clientCertificate(clientDir.resolve("tls.crt"), dir.resolve("no-such.key"))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no-such.key");
  }

  @Test
  void aTrustBundleGivenAsBytesVerifiesTheNodeAndGarbageIsNamedAtBuildTime() throws Exception {
    byte[] pem = java.nio.file.Files.readAllBytes(clientDir.resolve("ca.crt"));
    try (var client =
        AlliClient.builder()
            .trustBundle(pem)
            .clientCertificate(clientDir.resolve("tls.crt"), clientDir.resolve("tls.key"))
            .apiKey(RealNode.KEY)
            .deadline(Duration.ofSeconds(10))
            .target("localhost:" + node.port())
            .build()) {
      client.put(Entity.newBuilder().setEntityId("e2").setEntityType("doc").build());
      assertThat(client.get("e2")).isPresent();
    }
    assertThatThrownBy(
            () ->
                AlliClient.builder()
                    .target("localhost:1")
                    .trustBundle(
                        "not a certificate".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot read trust bundle given in memory");
  }
}
