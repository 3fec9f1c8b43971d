package io.allidb.dataplane.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code allidb server --config FILE}: file keys become flag defaults, the {@code ALLIDB_*}
 * environment overrides them, flags override both, and a bad file is an error naming the key. The
 * operator's own test ({@code RenderedNodeConfigTest} in the operator module) feeds this code the
 * file and environment its model renders.
 */
class ServerConfigFileTest {
  @TempDir Path dir;

  private Path file(String... lines) throws Exception {
    Path f = dir.resolve("allidb.properties");
    Files.writeString(f, String.join("\n", lines) + "\n");
    Files.writeString(dir.resolve("keys"), ""); // an (empty) key set: no dev key generated
    return f;
  }

  private ServerLaunch.Launch prepare(Map<String, String> env, String... args) throws Exception {
    var all = new ArrayList<String>(List.of(args));
    all.addAll(List.of("--data-dir", dir.resolve("data").toString()));
    return ServerLaunch.prepare(all, env, new PrometheusRegistry());
  }

  @Test
  void fileKeysAreDefaultsAndFlagsOverrideThem() throws Exception {
    Path f =
        file(
            "cluster.name=shop",
            "cluster.seeds=127.0.0.1:7101,127.0.0.1:7102",
            "cluster.replication-factor=2",
            "cluster.vnodes=8",
            "cluster.internode-port=7101",
            "server.grpc-port=7100",
            "server.http-port=-1",
            "tls.enabled=false",
            "auth.enabled=true",
            "auth.key-set-dir=" + dir.resolve("keys"));
    var launch =
        prepare(
            Map.of(),
            "--config",
            f.toString(),
            "--grpc-port",
            "0",
            "--published-address",
            "127.0.0.1:7101");
    var c = launch.config();
    assertThat(launch.clusterNode()).isTrue();
    assertThat(c.grpcPort()).as("the flag wins").isZero();
    assertThat(c.httpPort()).isEqualTo(-1);
    assertThat(c.apiKeyFile()).isEqualTo(dir.resolve("keys"));
    assertThat(c.cluster().clusterName()).isEqualTo("shop");
    assertThat(c.cluster().seeds()).containsExactly("127.0.0.1:7101", "127.0.0.1:7102");
    assertThat(c.cluster().replicationFactor()).isEqualTo(2);
    assertThat(c.cluster().vnodes()).isEqualTo(8);
    assertThat(c.cluster().internodePort()).isEqualTo(7101);
    assertThat(c.cluster().plaintextInternode()).isTrue();
    assertThat(c.cluster().initialNode()).isFalse();
  }

  @Test
  void environmentOverridesFileAndAdvertiseAddressGetsTheInternodePort() throws Exception {
    Path f =
        file(
            "cluster.name=shop",
            "cluster.seeds=shop-nodes.db.svc",
            "cluster.vnodes=8",
            "cluster.initial-node=shop-a-0",
            "tls.enabled=false",
            "auth.enabled=true",
            "auth.key-set-dir=" + dir.resolve("keys"));
    var env = new HashMap<String, String>();
    env.put("ALLIDB_CONFIG_FILE", f.toString());
    env.put("ALLIDB_VNODES", "4");
    env.put("ALLIDB_RACK", "a");
    env.put("ALLIDB_INTERNODE_PORT", "7201");
    env.put("ALLIDB_ADVERTISE_ADDRESS", "shop-a-0.shop-nodes.db.svc");
    var first = prepare(env, "--node-id", "shop-a-0", "--http-port", "-1").config();
    assertThat(first.cluster().vnodes()).isEqualTo(4);
    assertThat(first.cluster().rack()).isEqualTo("a");
    assertThat(first.cluster().seedDnsName()).isEqualTo("shop-nodes.db.svc");
    assertThat(first.cluster().publishedAddress()).isEqualTo("shop-a-0.shop-nodes.db.svc:7201");
    assertThat(first.cluster().initialNode()).as("the named node starts the ring").isTrue();
    assertThat(first.hostId()).isEqualTo("shop-a-0");

    var second = prepare(env, "--node-id", "shop-a-1", "--http-port", "-1").config();
    assertThat(second.cluster().initialNode()).as("every other node joins").isFalse();
  }

  @Test
  void seedsOnTheCommandLineReplaceTheFilesSeedDns() throws Exception {
    Path f = file("cluster.seeds=shop-nodes.db.svc", "tls.enabled=false");
    var c =
        prepare(
                Map.of(),
                "--config=" + f,
                "--seeds",
                "127.0.0.1:7301",
                "--published-address",
                "127.0.0.1:7302",
                "--api-key-file",
                dir.resolve("keys").toString())
            .config();
    assertThat(c.cluster().seeds()).containsExactly("127.0.0.1:7301");
    assertThat(c.cluster().seedDnsName()).isEmpty();
  }

  @Test
  void unknownKeyIsAnErrorNamingIt() throws Exception {
    Path f = file("cluster.name=shop", "cluster.replicaton-factor=3");
    assertThatThrownBy(() -> prepare(Map.of(), "--config", f.toString()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown key 'cluster.replicaton-factor'")
        .hasMessageContaining("cluster.replication-factor");

    var err = new StringWriter();
    int code =
        AlliDbCli.run(
            new PrintWriter(new StringWriter(), true),
            new PrintWriter(err, true),
            Map.of("ALLIDB_CONFIG_FILE", f.toString()),
            "server");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("cluster.replicaton-factor", f.toString());
  }

  @Test
  void badValuesAndMissingCompanionsAreNamed() throws Exception {
    Path tls = file("tls.enabled=yes");
    assertThatThrownBy(() -> prepare(Map.of(), "--config", tls.toString()))
        .hasMessageContaining("tls.enabled must be true or false; got 'yes'");
    Path auth = file("auth.enabled=true");
    assertThatThrownBy(() -> prepare(Map.of(), "--config", auth.toString()))
        .hasMessageContaining("auth.enabled=true needs auth.key-set-dir");
    Path missing = dir.resolve("nope.properties");
    assertThatThrownBy(() -> prepare(Map.of(), "--config", missing.toString()))
        .hasMessageContaining("cannot read config file " + missing);
  }

  @Test
  void tlsDirectoriesInTheOperatorsPerPodLayoutServeThisPodsOwnCertificate() throws Exception {
    // The operator's TLS Secrets hold every pod's leaf as <pod>.tls.crt/.tls.key (ADR 0004); each
    // node must pick its own in the client-facing directory as well as the internode one.
    Path client = Files.createDirectories(dir.resolve("client-tls"));
    Path internode = Files.createDirectories(dir.resolve("internode-tls"));
    for (Path d : List.of(client, internode)) {
      for (String name : List.of("ca.crt", "demo-0.tls.crt", "demo-0.tls.key")) {
        Files.writeString(d.resolve(name), "");
      }
    }
    Path f =
        file(
            "tls.enabled=true",
            "tls.client-dir=" + client,
            "tls.internode-dir=" + internode,
            "auth.enabled=true",
            "auth.key-set-dir=" + dir.resolve("keys"));
    var security =
        prepare(Map.of(), "--config", f.toString(), "--node-id", "demo-0").config().security();
    assertThat(security.publicTls().certificateChain()).isEqualTo(client.resolve("demo-0.tls.crt"));
    assertThat(security.publicTls().privateKey()).isEqualTo(client.resolve("demo-0.tls.key"));
    assertThat(security.internodeTls().certificateChain())
        .isEqualTo(internode.resolve("demo-0.tls.crt"));
  }

  @Test
  void knownKeysCoverTheFlagTable() {
    assertThat(ServerLaunch.configKeys())
        .contains("cluster.seeds", "cluster.initial-node", "server.grpc-port", "auth.key-set-dir");
  }
}
