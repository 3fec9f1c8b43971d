package io.allidb.dataplane.server;

import static io.allidb.dataplane.server.TestNode.KEY_A;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.allidb.api.proto.AlliDBGrpc;
import io.allidb.api.proto.Entity;
import io.allidb.api.proto.GetEntityRequest;
import io.allidb.api.proto.PutEntityRequest;
import io.allidb.dataplane.security.ClientAuth;
import io.allidb.dataplane.security.SecurityOptions;
import io.allidb.dataplane.security.TlsFiles;
import io.allidb.dataplane.testing.TestPki;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client-facing TLS on real sockets: TLS and plaintext clients behave as documented, client
 * certificates are checked, and certificate plus trust rotation under steady load fails no request
 * and needs no restart.
 */
class PublicTlsTest {
  /** A bound against a hang, not a timing check (the rotation test ran slow at load 17). */
  private static final Duration BOUND = Duration.ofSeconds(60);

  @TempDir Path dir;
  private final TestPki.Ca caOld = TestPki.newCa("client-facing-ca-1");
  private final TestPki.Ca caNew = TestPki.newCa("client-facing-ca-2");
  private TestNode node;
  private Path serverTls;

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  private void startNode(ClientAuth clientAuth) throws Exception {
    serverTls =
        TestPki.write(
            dir.resolve("server-tls"), caOld.issue("node", "localhost", "127.0.0.1"), caOld);
    var security =
        SecurityOptions.builder()
            .publicTls(TlsFiles.inDirectory(serverTls), clientAuth)
            .tlsReloadInterval(Duration.ofMillis(200))
            .build();
    java.nio.file.Files.createDirectories(dir.resolve("node"));
    node = TestNode.overTcp(dir.resolve("node"), b -> b.httpPort(0).security(security));
  }

  /** A TLS channel trusting {@code trust} and presenting {@code clientCert} (or none). */
  private ManagedChannel tlsChannel(SslContext ctx) {
    return NettyChannelBuilder.forAddress("127.0.0.1", node.server.port())
        .overrideAuthority("localhost")
        .sslContext(ctx)
        .build();
  }

  private SslContext clientContext(String name, TestPki.Issued clientCert, TestPki.Ca... trust)
      throws Exception {
    Path d = dir.resolve("client-" + name);
    if (clientCert == null) {
      TestPki.write(d, caOld.issue("unused"), trust);
      return GrpcSslContexts.forClient().trustManager(d.resolve("ca.crt").toFile()).build();
    }
    TestPki.write(d, clientCert, trust);
    return GrpcSslContexts.forClient()
        .trustManager(d.resolve("ca.crt").toFile())
        .keyManager(d.resolve("tls.crt").toFile(), d.resolve("tls.key").toFile())
        .build();
  }

  private static AlliDBGrpc.AlliDBBlockingStub stub(ManagedChannel ch, String key) {
    return TestNode.withKey(AlliDBGrpc.newBlockingStub(ch), key)
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static Entity entity(String id) {
    return Entity.newBuilder().setEntityId(id).setEntityType("t").build();
  }

  private HttpClient https(TestPki.Ca... trust) throws Exception {
    var ks = KeyStore.getInstance(KeyStore.getDefaultType());
    ks.load(null, null);
    for (int i = 0; i < trust.length; i++) {
      ks.setCertificateEntry("ca" + i, trust[i].certificate());
    }
    var tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    var ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
  }

  @Test
  void tlsAndPlaintextClientsBehaveAsDocumented() throws Exception {
    startNode(ClientAuth.NONE);
    ManagedChannel tls = tlsChannel(clientContext("plain-trust", null, caOld));
    try {
      stub(tls, KEY_A).putEntity(PutEntityRequest.newBuilder().setEntity(entity("e1")).build());
      assertThat(
              stub(tls, KEY_A).getEntity(GetEntityRequest.newBuilder().setEntityId("e1").build()))
          .extracting(r -> r.getEntity().getEntityId())
          .isEqualTo("e1");
      // TLS does not replace the key
      assertThatThrownBy(
              () ->
                  stub(tls, null)
                      .getEntity(GetEntityRequest.newBuilder().setEntityId("e1").build()))
          .satisfies(
              e ->
                  assertThat(Status.fromThrowable(e).getCode())
                      .isEqualTo(Status.Code.UNAUTHENTICATED));
    } finally {
      tls.shutdownNow();
    }
    // a plaintext gRPC client cannot talk to a TLS port
    assertThatThrownBy(
            () ->
                TestNode.withKey(node.stub(KEY_A), KEY_A)
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .getEntity(GetEntityRequest.newBuilder().setEntityId("e1").build()))
        .isInstanceOf(StatusRuntimeException.class)
        .satisfies(
            e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    // REST: HTTPS works with the key, probes without; plain HTTP does not
    String base = "https://localhost:" + node.server.httpPort();
    var client = https(caOld);
    var get =
        client.send(
            HttpRequest.newBuilder(URI.create(base + "/entity/e1"))
                .header("x-allidb-api-key", KEY_A)
                .build(),
            BodyHandlers.ofString());
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(
            client
                .send(
                    HttpRequest.newBuilder(URI.create(base + "/livez")).build(),
                    BodyHandlers.ofString())
                .statusCode())
        .isEqualTo(200);
    assertThatThrownBy(
            () ->
                HttpClient.newHttpClient()
                    .send(
                        HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + node.server.httpPort() + "/livez"))
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                        BodyHandlers.ofString()))
        .isInstanceOf(IOException.class);
    // a client that does not trust the node's CA refuses it
    assertThatThrownBy(
            () ->
                https(caNew)
                    .send(
                        HttpRequest.newBuilder(URI.create(base + "/livez")).build(),
                        BodyHandlers.ofString()))
        .isInstanceOf(IOException.class);
  }

  @Test
  void requiredClientCertificatesMustChainToTheClientCa() throws Exception {
    startNode(ClientAuth.REQUIRE);
    var good = tlsChannel(clientContext("good", caOld.issue("app"), caOld));
    var none = tlsChannel(clientContext("none", null, caOld));
    var foreign = tlsChannel(clientContext("foreign", caNew.issue("app"), caOld));
    try {
      assertThat(
              stub(good, KEY_A)
                  .healthCheck(io.allidb.api.proto.HealthCheckRequest.getDefaultInstance())
                  .getHealthy())
          .isTrue();
      for (var ch : new ManagedChannel[] {none, foreign}) {
        assertThatThrownBy(
                () ->
                    stub(ch, KEY_A)
                        .healthCheck(io.allidb.api.proto.HealthCheckRequest.getDefaultInstance()))
            .satisfies(
                e ->
                    assertThat(Status.fromThrowable(e).getCode())
                        .isEqualTo(Status.Code.UNAVAILABLE));
      }
    } finally {
      good.shutdownNow();
      none.shutdownNow();
      foreign.shutdownNow();
    }
  }

  /**
   * Under steady load on long-lived and fresh connections: (1) the server certificate is replaced
   * by one from a new CA, (2) the client-CA bundle gains the new CA and clients switch to new-CA
   * certificates, (3) the old CA leaves the bundle. No request fails; no restart.
   */
  @Test
  void certificateAndTrustRotationUnderLoadFailsNoRequest() throws Exception {
    startNode(ClientAuth.REQUIRE);
    stub(tlsChannel(clientContext("seed", caOld.issue("app"), caOld, caNew)), KEY_A)
        .putEntity(PutEntityRequest.newBuilder().setEntity(entity("hot")).build());
    var identity = new AtomicReference<>(clientContext("old", caOld.issue("app"), caOld, caNew));
    var stop = new AtomicBoolean();
    var ok = new AtomicInteger();
    var failed = new AtomicInteger();
    var firstFailure = new AtomicReference<Throwable>();
    Runnable load =
        () -> {
          ManagedChannel longLived = tlsChannel(identity.get());
          try {
            while (!stop.get()) {
              // one fresh handshake per round, with whatever identity clients use now
              ManagedChannel fresh = tlsChannel(identity.get());
              try {
                for (ManagedChannel ch : new ManagedChannel[] {longLived, fresh}) {
                  try {
                    stub(ch, KEY_A)
                        .getEntity(GetEntityRequest.newBuilder().setEntityId("hot").build());
                    ok.incrementAndGet();
                  } catch (RuntimeException e) {
                    failed.incrementAndGet();
                    firstFailure.compareAndSet(null, e);
                  }
                }
              } finally {
                fresh.shutdownNow();
              }
            }
          } finally {
            longLived.shutdownNow();
          }
        };
    Thread t1 = new Thread(load, "load-1");
    Thread t2 = new Thread(load, "load-2");
    t1.start();
    t2.start();
    try {
      await().atMost(BOUND).until(() -> ok.get() > 20);
      // (1) new server certificate from the new CA; client-CA bundle unchanged
      TestPki.write(serverTls, caNew.issue("node-rotated", "localhost", "127.0.0.1"), caOld, caNew);
      var onlyNew = clientContext("only-new", caOld.issue("app"), caNew);
      await().atMost(BOUND).untilAsserted(() -> assertThat(servesWith(onlyNew)).isTrue());
      int afterCert = ok.get();
      // (2) clients move to certificates from the new CA (the bundle already holds both)
      identity.set(clientContext("new", caNew.issue("app"), caOld, caNew));
      await().atMost(BOUND).until(() -> ok.get() > afterCert + 20);
      // (3) the old CA leaves the bundle: old client certificates stop opening new connections
      TestPki.write(serverTls, caNew.issue("node-rotated-2", "localhost", "127.0.0.1"), caNew);
      var oldClient = clientContext("old-after", caOld.issue("app"), caNew);
      await().atMost(BOUND).untilAsserted(() -> assertThat(servesWith(oldClient)).isFalse());
      int afterTrust = ok.get();
      await().atMost(BOUND).until(() -> ok.get() > afterTrust + 20);
    } finally {
      stop.set(true);
      t1.join();
      t2.join();
    }
    assertThat(failed.get()).as("failed requests, first: %s", firstFailure.get()).isZero();
    assertThat(ok.get()).isGreaterThan(60);
  }

  private boolean servesWith(SslContext ctx) {
    ManagedChannel ch = tlsChannel(ctx);
    try {
      stub(ch, KEY_A).getEntity(GetEntityRequest.newBuilder().setEntityId("hot").build());
      return true;
    } catch (StatusRuntimeException e) {
      return false;
    } finally {
      ch.shutdownNow();
    }
  }
}
