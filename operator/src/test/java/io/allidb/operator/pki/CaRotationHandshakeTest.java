package io.allidb.operator.pki;

import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.operator.TestingClock;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/**
 * Real mutual-TLS handshakes on loopback sockets with the material the planner produces during a CA
 * key replacement. Because each phase waits until every node has loaded the previous generation,
 * nodes are at most one generation apart; every pair of such nodes must complete a handshake. The
 * control case shows why the wait matters: two generations apart they do not.
 */
class CaRotationHandshakeTest {
  private final TestingClock clock = new TestingClock(Instant.now());
  private final CertificatePolicy policy =
      new CertificatePolicy(Duration.ofDays(90), Duration.ofDays(1000));

  @Test
  void nodesOneGenerationApartAlwaysHandshakeDuringACaKeyReplacement() throws Exception {
    var pods = new LinkedHashMap<String, List<String>>();
    pods.put("db-a-0", List.of("db-a-0"));
    pods.put("db-a-1", List.of("db-a-1"));
    var generations = new ArrayList<TlsMaterial>();
    CaState ca = null;
    var material = TlsMaterial.empty();
    // steady, then TrustNew, SignWithNew, Steady: every step acknowledged by all nodes
    for (var request : new String[] {null, "r1", "r1", "r1"}) {
      var plan =
          CertificatePlanner.plan(
              new CertificatePlanner.Input(
                  "db CA", ca, material, pods, true, request, clock.instant(), policy));
      ca = plan.ca();
      material = new TlsMaterial(plan.bundle(), plan.leaves(), material.generation() + 1);
      generations.add(material);
    }
    assertThat(ca.phase()).isEqualTo(CaPhase.STEADY);
    assertThat(generations).hasSize(4);

    for (int g = 0; g + 1 < generations.size(); g++) {
      var older = generations.get(g);
      var newer = generations.get(g + 1);
      assertThat(handshake(older, "db-a-0", newer, "db-a-1"))
          .as("gen %d server, gen %d client", g, g + 1)
          .isTrue();
      assertThat(handshake(newer, "db-a-0", older, "db-a-1"))
          .as("gen %d server, gen %d client", g + 1, g)
          .isTrue();
    }
    // the control: skipping the wait (first and last generation together) breaks trust
    assertThat(handshake(generations.get(0), "db-a-0", generations.get(3), "db-a-1")).isFalse();
  }

  /** Whether a mutual-TLS handshake between the two pods' material completes. */
  private static boolean handshake(
      TlsMaterial server, String serverPod, TlsMaterial client, String clientPod) throws Exception {
    var serverContext = context(server.leaves().get(serverPod), server.bundle());
    var clientContext = context(client.leaves().get(clientPod), client.bundle());
    var executor = Executors.newSingleThreadExecutor();
    try (var listener =
        (SSLServerSocket)
            serverContext
                .getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      listener.setNeedClientAuth(true);
      listener.setSoTimeout(10_000);
      var accepted =
          executor.submit(
              () -> {
                try (var s = (SSLSocket) listener.accept()) {
                  s.setSoTimeout(10_000);
                  s.startHandshake();
                  s.getOutputStream().write(1);
                  s.getOutputStream().flush();
                  return true;
                } catch (IOException e) {
                  return false;
                }
              });
      boolean clientOk;
      try (var socket = (SSLSocket) clientContext.getSocketFactory().createSocket()) {
        socket.connect(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()),
            10_000);
        socket.setSoTimeout(10_000);
        socket.startHandshake();
        clientOk = socket.getInputStream().read() == 1;
      } catch (IOException e) {
        clientOk = false;
      }
      boolean serverOk = accepted.get(20, TimeUnit.SECONDS);
      return clientOk && serverOk;
    } finally {
      executor.shutdownNow();
    }
  }

  private static SSLContext context(IssuedCertificate leaf, List<X509Certificate> bundle)
      throws Exception {
    var password = "test".toCharArray();
    var keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("leaf", leaf.key(), password, new X509Certificate[] {leaf.certificate()});
    var kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, password);
    var trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    for (int i = 0; i < bundle.size(); i++) {
      trust.setCertificateEntry("ca" + i, bundle.get(i));
    }
    var tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    var context = SSLContext.getInstance("TLSv1.3");
    context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return context;
  }
}
