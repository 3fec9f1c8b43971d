package io.allidb.dataplane.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.allidb.api.proto.AlliDBGrpc;
import io.allidb.api.proto.Entity;
import io.allidb.api.proto.GetEntityRequest;
import io.allidb.api.proto.PutEntityRequest;
import io.allidb.dataplane.cli.AlliDbCli;
import io.allidb.dataplane.server.ApiKeyAuthInterceptor;
import io.allidb.dataplane.testing.NodeProcess;
import io.allidb.dataplane.testing.TestPki;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One real node in a child JVM with debug logging: the whole life of API keys over gRPC and REST
 * (valid, wrong secret, unknown id, malformed, expired, not yet valid, two keys of a tenant during
 * rotation, removal while running, scope violations, a broken reload), then a scan of everything
 * the node logged for key material: no secret, no secret hash, no private key.
 */
class KeyLifecycleAndLogScanIT {
  @TempDir Path dir;

  private Process node;

  @Test
  void keyLifecycleOverBothProtocolsAndNoKeyMaterialInTheLogs() throws Exception {
    Instant now = Instant.now();
    var k1 =
        ApiKeyGenerator.mint("acme-1", "acme", EnumSet.of(Scope.READ, Scope.WRITE), null, null);
    var k2 =
        ApiKeyGenerator.mint("acme-2", "acme", EnumSet.of(Scope.READ, Scope.WRITE), null, null);
    var expired =
        ApiKeyGenerator.mint(
            "acme-old", "acme", EnumSet.of(Scope.READ), null, now.minusSeconds(60));
    var future =
        ApiKeyGenerator.mint(
            "acme-next", "acme", EnumSet.of(Scope.READ), now.plusSeconds(3600), null);
    var reader = ApiKeyGenerator.mint("acme-ro", "acme", EnumSet.of(Scope.READ), null, null);
    var all = List.of(k1, k2, expired, future, reader);
    Path keys = dir.resolve("keys");
    writeKeys(keys, all);
    String legacySecret = "legacyLEGACYlegacyLEGACY0123456789";
    Files.writeString(
        dir.resolve("keys-legacy"), "old-1." + legacySecret + " acme\n", StandardCharsets.UTF_8);
    // the key set is a directory, as a mounted Secret: two files, one of them in the legacy format
    Path set = Files.createDirectory(dir.resolve("set"));
    Files.move(keys, set.resolve("keys"));
    Files.move(dir.resolve("keys-legacy"), set.resolve("legacy"));
    var pki = TestPki.newCa("log-scan-ca");
    Path tls = TestPki.write(dir.resolve("tls"), pki.issue("node", "localhost", "127.0.0.1"), pki);
    String privateKeyPem = Files.readString(tls.resolve("tls.key"));

    int grpcPort = NodeProcess.freePort();
    int httpPort = NodeProcess.freePort();
    Path log = dir.resolve("node.log");
    node = start(set, grpcPort, httpPort, log);
    ManagedChannel ch =
        NettyChannelBuilder.forAddress("127.0.0.1", grpcPort)
            .overrideAuthority("localhost")
            .sslContext(
                io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts.forClient()
                    .trustManager(tls.resolve("ca.crt").toFile())
                    .build())
            .build();
    try {
      assertThat(code(ch, k1.presented(), true)).isEqualTo("OK");
      assertThat(code(ch, k2.presented(), false)).isEqualTo("OK"); // rotation overlap
      assertThat(code(ch, "old-1." + legacySecret, false)).isEqualTo("OK");
      assertThat(code(ch, "acme-1.wrong" + k1.presented().substring(10), false))
          .isEqualTo("UNAUTHENTICATED: invalid API key");
      assertThat(code(ch, "nobody." + k1.presented().substring(7), false))
          .isEqualTo("UNAUTHENTICATED: invalid API key");
      assertThat(code(ch, k1.presented().substring(7), false))
          .isEqualTo("UNAUTHENTICATED: malformed API key: expected <key-id>.<secret>");
      assertThat(code(ch, expired.presented(), false))
          .isEqualTo("UNAUTHENTICATED: API key acme-old expired at " + expired.entry().expiresAt());
      assertThat(code(ch, future.presented(), false))
          .isEqualTo(
              "UNAUTHENTICATED: API key acme-next is not valid before "
                  + future.entry().notBefore());
      assertThat(code(ch, reader.presented(), true))
          .isEqualTo("PERMISSION_DENIED: API key acme-ro lacks scope write for PutEntity");
      assertThat(code(ch, reader.presented(), false)).isEqualTo("OK");

      HttpClient https = httpsTrusting(tls.resolve("ca.crt"));
      String base = "https://localhost:" + httpPort;
      assertThat(rest(https, base, expired.presented()))
          .startsWith("401")
          .contains("API key acme-old expired at");
      assertThat(rest(https, base, k2.presented())).startsWith("200");

      // a broken file: the previous set stays
      Files.writeString(set.resolve("keys"), "garbage " + "x\n");
      Thread.sleep(1500);
      assertThat(code(ch, k1.presented(), false)).isEqualTo("OK");
      // rotation finished: acme-1 removed while the node runs
      writeKeys(set.resolve("keys"), List.of(k2, expired, future, reader));
      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> code(ch, k1.presented(), false).equals("UNAUTHENTICATED: invalid API key"));
      assertThat(code(ch, k2.presented(), false)).isEqualTo("OK");
      assertThat(rest(https, base, k1.presented())).startsWith("401");
    } finally {
      ch.shutdownNow();
      node.destroy();
      node.waitFor(30, TimeUnit.SECONDS);
    }

    String output = Files.readString(log);
    assertThat(output).contains("legacy clear-text format").contains("not reloaded");
    var forbidden = new ArrayList<String>();
    for (var m : all) {
      String secret = m.presented().substring(m.presented().indexOf('.') + 1);
      forbidden.add(secret);
      forbidden.add(secret.substring(0, 12)); // no prefix either
      forbidden.add(HexFormat.of().formatHex(m.entry().secretSha256()));
    }
    forbidden.add(legacySecret);
    forbidden.add("legacyLEGACY");
    forbidden.add("BEGIN PRIVATE KEY");
    for (String line : privateKeyPem.lines().toList()) {
      if (!line.startsWith("-----")) {
        forbidden.add(line);
      }
    }
    assertThat(output).as("node output").isNotBlank();
    assertThat(output).doesNotContain(forbidden.toArray(String[]::new));
  }

  private static void writeKeys(Path file, List<ApiKeyGenerator.Minted> keys) throws Exception {
    var lines = new ArrayList<String>();
    for (var k : keys) {
      lines.add(KeySetFormat.format(k.entry()));
    }
    Path tmp = file.resolveSibling(".tmp-keys");
    Files.write(tmp, lines, StandardCharsets.UTF_8);
    Files.move(
        tmp,
        file,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private Process start(Path keys, int grpcPort, int httpPort, Path log) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    var command =
        List.of(
            java,
            "-Xmx256m",
            "-XX:+UseSerialGC",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=debug",
            "-cp",
            System.getProperty("java.class.path"),
            AlliDbCli.class.getName(),
            "server",
            "--data-dir",
            dir.resolve("data").toString(),
            "--bind",
            "127.0.0.1",
            "--grpc-port",
            Integer.toString(grpcPort),
            "--http-port",
            Integer.toString(httpPort),
            "--api-key-file",
            keys.toString(),
            "--tls-cert",
            dir.resolve("tls/tls.crt").toString(),
            "--tls-key",
            dir.resolve("tls/tls.key").toString());
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                !p.isAlive() || Files.readString(log).contains("AlliDB node node-1 listening on"));
    assertThat(p.isAlive()).as("node started; log:\n%s", Files.readString(log)).isTrue();
    return p;
  }

  /** The outcome of a put (write) or get (read) with {@code key}: "OK" or "CODE: message". */
  private static String code(ManagedChannel ch, String key, boolean write) {
    var md = new Metadata();
    md.put(ApiKeyAuthInterceptor.API_KEY, key);
    var stub =
        AlliDBGrpc.newBlockingStub(ch)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
            .withDeadlineAfter(10, TimeUnit.SECONDS);
    try {
      if (write) {
        stub.putEntity(
            PutEntityRequest.newBuilder()
                .setEntity(Entity.newBuilder().setEntityId("e1").setEntityType("t"))
                .build());
      } else {
        stub.getEntity(GetEntityRequest.newBuilder().setEntityId("e1").build());
      }
      return "OK";
    } catch (io.grpc.StatusRuntimeException e) {
      Status s = e.getStatus();
      return s.getCode() == Status.Code.NOT_FOUND ? "OK" : s.getCode() + ": " + s.getDescription();
    }
  }

  private static String rest(HttpClient http, String base, String key) throws Exception {
    var r =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/entity/e1"))
                .header("x-allidb-api-key", key)
                .timeout(Duration.ofSeconds(10))
                .build(),
            BodyHandlers.ofString());
    return r.statusCode() + " " + r.body();
  }

  private static HttpClient httpsTrusting(Path caFile) throws Exception {
    var cf = java.security.cert.CertificateFactory.getInstance("X.509");
    var ks = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
    ks.load(null, null);
    try (var in = Files.newInputStream(caFile)) {
      ks.setCertificateEntry("ca", cf.generateCertificate(in));
    }
    var tmf =
        javax.net.ssl.TrustManagerFactory.getInstance(
            javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    var ssl = javax.net.ssl.SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(ssl).build();
  }
}
