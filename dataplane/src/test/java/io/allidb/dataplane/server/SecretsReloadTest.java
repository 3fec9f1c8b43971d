package io.allidb.dataplane.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.allidb.api.admin.NodeAdminGrpc;
import io.allidb.api.admin.NodeInfoReply;
import io.allidb.api.admin.NodeInfoRequest;
import io.allidb.api.admin.ReloadSecretsReply;
import io.allidb.api.admin.ReloadSecretsRequest;
import io.allidb.api.proto.AlliDBGrpc;
import io.allidb.api.proto.Entity;
import io.allidb.api.proto.GetEntityRequest;
import io.allidb.api.proto.PutEntityRequest;
import io.allidb.dataplane.security.ClientAuth;
import io.allidb.dataplane.security.Scope;
import io.allidb.dataplane.security.SecurityOptions;
import io.allidb.dataplane.security.TlsFiles;
import io.allidb.dataplane.testing.NodeProcess;
import io.allidb.dataplane.testing.TestPki;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node side of the operator's rotations, on real sockets: a node serving TLS on its client port
 * and mTLS on its internode port, with an API key set, all from files. New key set and certificates
 * are written (with new generations, as the operator writes them), the admin API's ReloadSecrets
 * loads them, NodeInfo reports the new generations, a new handshake gets the new certificate, and
 * keys are accepted or refused as the file says - with no restart. A corrupt key set on reload is
 * refused naming the file, and the previous keys keep working.
 *
 * <p>The TLS files are checked only once an hour here, so only ReloadSecrets can load them.
 */
class SecretsReloadTest {
  private static final String HOST = "n1";
  private static final String KEY_OLD = "rot-old.oooooooooooooooooooooooooooooooo";
  private static final String KEY_NEW = "rot-new.nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn";

  @TempDir Path dir;
  private final TestPki.Ca clientCa = TestPki.newCa("client-ca");
  private final TestPki.Ca internodeCa = TestPki.newCa("internode-ca");
  private Path keys;
  private Path clientTls;
  private Path internodeTls;
  private DataplaneServer server;
  private ManagedChannel channel;
  private int internodePort;

  @BeforeEach
  void start() throws Exception {
    keys = dir.resolve("keys");
    writeKeys("# generation: 1\n" + line(KEY_OLD));
    clientTls = TestPki.write(dir.resolve("client-tls"), clientLeaf(), clientCa);
    TestPki.writeGeneration(clientTls, 1);
    internodeTls = dir.resolve("internode-tls");
    writeInternode(internodeCa.issue(HOST, HOST, "127.0.0.1"));
    TestPki.writeGeneration(internodeTls, 1);

    internodePort = NodeProcess.freePort();
    var cluster =
        ClusterOptions.builder()
            .clusterName("secrets-reload")
            .hostId(HOST)
            .internodeBindAddress("127.0.0.1")
            .internodePort(internodePort)
            .publishedAddress("127.0.0.1:" + internodePort)
            .initialNode(true)
            .replicationFactor(1)
            .build();
    var security =
        SecurityOptions.builder()
            .publicTls(TlsFiles.inDirectory(clientTls), ClientAuth.NONE)
            .internodeTls(TlsFiles.inDirectory(internodeTls, HOST))
            .tlsReloadInterval(Duration.ofHours(1))
            .build();
    var config =
        NodeConfig.builder(dir.resolve("node"))
            .nodeId(HOST)
            .bindAddress("127.0.0.1")
            .grpcPort(0)
            .httpPort(-1)
            .shutdownGrace(Duration.ofSeconds(1))
            .apiKeyFile(keys)
            .cluster(cluster)
            .security(security)
            .build();
    server =
        new DataplaneServer(
                DataplaneServer.forNetty(config),
                config,
                DataplaneServer.graphRag(config),
                GossipClusterRuntime.factory())
            .start();
    channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.port())
            .overrideAuthority("localhost")
            .sslContext(GrpcSslContexts.forClient().trustManager(clientCa.certificate()).build())
            .build();
  }

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void reloadSecretsLoadsNewKeysAndCertificatesAndReportsTheirGenerations() throws Exception {
    assertThat(nodeInfo(KEY_OLD).getKeySetGeneration()).isEqualTo(1);
    assertThat(nodeInfo(KEY_OLD).getCertificateGeneration()).isEqualTo(1);
    put(KEY_OLD, "e1");

    // step 1 of a key rotation: the new key next to the old one, generation 2
    writeKeys("# generation: 2\n" + line(KEY_OLD) + line(KEY_NEW));
    // leaf rotation on both TLS directories, generation 2 (client-facing first: the smaller wins)
    TestPki.Issued newClientLeaf = clientLeaf();
    TestPki.write(clientTls, newClientLeaf, clientCa);
    TestPki.writeGeneration(clientTls, 2);
    ReloadSecretsReply half = reload(KEY_OLD);
    assertThat(half.getKeySetGeneration()).isEqualTo(2);
    assertThat(half.getCertificateGeneration())
        .as("internode TLS is still on generation 1")
        .isEqualTo(1);
    TestPki.Issued newInternodeLeaf = internodeCa.issue(HOST, HOST, "127.0.0.1");
    writeInternode(newInternodeLeaf);
    TestPki.writeGeneration(internodeTls, 2);

    ReloadSecretsReply reply = reload(KEY_OLD);

    assertThat(reply.getKeySetGeneration()).isEqualTo(2);
    assertThat(reply.getCertificateGeneration()).isEqualTo(2);
    assertThat(reply.getMessage()).contains(keys.toString()).doesNotContain("nnnn", "oooo");
    NodeInfoReply info = nodeInfo(KEY_NEW);
    assertThat(info.getKeySetGeneration()).isEqualTo(2);
    assertThat(info.getCertificateGeneration()).isEqualTo(2);
    assertThat(get(KEY_OLD, "e1")).isEqualTo("e1");
    assertThat(get(KEY_NEW, "e1")).isEqualTo("e1");
    // new handshakes present the new certificates, on both ports
    assertThat(presented(server.port(), clientCa)).isEqualTo(newClientLeaf.certificate());
    assertThat(presented(internodePort, internodeCa)).isEqualTo(newInternodeLeaf.certificate());

    // last step: the old key removed, generation 3
    writeKeys("# generation: 3\n" + line(KEY_NEW));
    assertThat(reload(KEY_NEW).getKeySetGeneration()).isEqualTo(3);
    assertThat(nodeInfo(KEY_NEW).getKeySetGeneration()).isEqualTo(3);
    assertThatThrownBy(() -> get(KEY_OLD, "e1"))
        .satisfies(
            e ->
                assertThat(Status.fromThrowable(e).getCode())
                    .isEqualTo(Status.Code.UNAUTHENTICATED));
    assertThat(get(KEY_NEW, "e1")).isEqualTo("e1");
  }

  @Test
  void aCorruptKeySetIsRefusedNamingTheFileAndTheLoadedKeysKeepWorking() throws Exception {
    writeKeys("# generation: 2\n" + line(KEY_OLD) + "rot-new sha256:nothex tenant=t scopes=read\n");

    assertThatThrownBy(() -> reload(KEY_OLD))
        .satisfies(
            e -> {
              Status s = Status.fromThrowable(e);
              assertThat(s.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
              assertThat(s.getDescription())
                  .contains(keys.toString() + " line 3")
                  .contains("hash is not hex")
                  .contains("previous material stays");
            });

    assertThat(nodeInfo(KEY_OLD).getKeySetGeneration()).isEqualTo(1);
    put(KEY_OLD, "still-works");
    assertThat(get(KEY_OLD, "still-works")).isEqualTo("still-works");
    assertThatThrownBy(() -> get(KEY_NEW, "still-works"))
        .satisfies(
            e ->
                assertThat(Status.fromThrowable(e).getCode())
                    .isEqualTo(Status.Code.UNAUTHENTICATED));
  }

  @Test
  void aCertificateWithTheWrongKeyIsRefusedAndTheOldOneStaysInUse() throws Exception {
    TestPki.Issued before = clientLeaf();
    TestPki.write(clientTls, before, clientCa);
    TestPki.writeGeneration(clientTls, 1);
    reload(KEY_OLD);
    // a half-updated Secret: the new certificate with another certificate's key
    TestPki.Issued other = clientLeaf();
    TestPki.write(
        clientTls, new TestPki.Issued(other.keys(), clientLeaf().certificate()), clientCa);
    TestPki.writeGeneration(clientTls, 2);

    assertThatThrownBy(() -> reload(KEY_OLD))
        .satisfies(
            e -> {
              Status s = Status.fromThrowable(e);
              assertThat(s.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
              assertThat(s.getDescription())
                  .contains("client-facing TLS")
                  .contains(clientTls.resolve("tls.key").toString());
            });

    assertThat(nodeInfo(KEY_OLD).getCertificateGeneration()).isEqualTo(1);
    assertThat(presented(server.port(), clientCa)).isEqualTo(before.certificate());
  }

  private TestPki.Issued clientLeaf() {
    return clientCa.issue("node", "localhost", "127.0.0.1");
  }

  private static String line(String key) {
    return TestNode.keyLine(key, "tenant-r", EnumSet.allOf(Scope.class));
  }

  /** Replaces the key file atomically, as the kubelet swaps a Secret. */
  private void writeKeys(String content) throws Exception {
    Path tmp = dir.resolve(".keys.tmp");
    Files.writeString(tmp, content, StandardCharsets.UTF_8);
    Files.move(tmp, keys, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** The operator's layout: {@code <pod>.tls.crt}/{@code <pod>.tls.key} and {@code ca.crt}. */
  private void writeInternode(TestPki.Issued leaf) throws Exception {
    Path staging = TestPki.write(dir.resolve("internode-staging"), leaf, internodeCa);
    Files.createDirectories(internodeTls);
    for (String[] f :
        new String[][] {{"tls.crt", HOST + ".tls.crt"}, {"tls.key", HOST + ".tls.key"}}) {
      Files.move(
          staging.resolve(f[0]),
          internodeTls.resolve(f[1]),
          StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    }
    Files.move(
        staging.resolve("ca.crt"),
        internodeTls.resolve("ca.crt"),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }

  private NodeAdminGrpc.NodeAdminBlockingStub admin(String key) {
    return TestNode.withKey(NodeAdminGrpc.newBlockingStub(channel), key)
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private NodeInfoReply nodeInfo(String key) {
    return admin(key).nodeInfo(NodeInfoRequest.getDefaultInstance());
  }

  private ReloadSecretsReply reload(String key) {
    return admin(key).reloadSecrets(ReloadSecretsRequest.getDefaultInstance());
  }

  private AlliDBGrpc.AlliDBBlockingStub api(String key) {
    return TestNode.withKey(AlliDBGrpc.newBlockingStub(channel), key)
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private void put(String key, String id) {
    api(key)
        .putEntity(
            PutEntityRequest.newBuilder()
                .setEntity(Entity.newBuilder().setEntityId(id).setEntityType("t"))
                .build());
  }

  private String get(String key, String id) {
    return api(key)
        .getEntity(GetEntityRequest.newBuilder().setEntityId(id).build())
        .getEntity()
        .getEntityId();
  }

  /**
   * The certificate a fresh TLS handshake on {@code port} presents, verified against {@code ca}.
   * The internode port asks for a client certificate; the handshake's server side is what matters,
   * so none is sent and the server's refusal after its certificate is ignored.
   */
  private static X509Certificate presented(int port, TestPki.Ca ca) throws Exception {
    var ks = KeyStore.getInstance(KeyStore.getDefaultType());
    ks.load(null, null);
    ks.setCertificateEntry("ca", ca.certificate());
    var tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    var captured = new X509Certificate[1];
    var trust = (javax.net.ssl.X509TrustManager) tmf.getTrustManagers()[0];
    var capturing =
        new javax.net.ssl.X509TrustManager() {
          @Override
          public void checkClientTrusted(X509Certificate[] chain, String authType) {
            throw new UnsupportedOperationException("client side only");
          }

          @Override
          public void checkServerTrusted(X509Certificate[] chain, String authType)
              throws java.security.cert.CertificateException {
            trust.checkServerTrusted(chain, authType); // verified, never skipped
            captured[0] = chain[0];
          }

          @Override
          public X509Certificate[] getAcceptedIssuers() {
            return trust.getAcceptedIssuers();
          }
        };
    var ssl = SSLContext.getInstance("TLS");
    ssl.init(null, new javax.net.ssl.TrustManager[] {capturing}, null);
    try (var socket = (SSLSocket) ssl.getSocketFactory().createSocket()) {
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 5_000);
      socket.setSoTimeout(5_000);
      var params = socket.getSSLParameters();
      params.setApplicationProtocols(new String[] {"h2"});
      socket.setSSLParameters(params);
      try {
        socket.startHandshake();
      } catch (java.io.IOException e) {
        // mTLS port without a client certificate: refused after the server certificate was checked
      }
    }
    assertThat(captured[0]).as("server certificate on port " + port).isNotNull();
    return captured[0];
  }
}
