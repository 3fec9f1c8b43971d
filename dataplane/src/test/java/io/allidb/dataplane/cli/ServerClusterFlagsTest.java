package io.allidb.dataplane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad cluster flags of {@code allidb server} are usage errors (exit 2) that name the flag and say
 * why, before anything is opened or bound.
 */
class ServerClusterFlagsTest {
  @TempDir Path dir;

  private record Result(int code, String err) {}

  private Result server(String... args) {
    var err = new StringWriter();
    var all = new ArrayList<>(List.of("server", "--data-dir", dir.toString(), "--http-port", "-1"));
    all.addAll(List.of(args));
    int code =
        AlliDbCli.run(
            new PrintWriter(new StringWriter(), true),
            new PrintWriter(err, true),
            all.toArray(String[]::new));
    return new Result(code, err.toString());
  }

  @Test
  void clusterFlagWithoutClusterModeNamesTheFlag() {
    var r = server("--rack", "zone-a");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--rack only applies to a cluster node", "--initial-node");
  }

  @Test
  void clusterNodeMustOptInToPlaintextInternode() {
    var r = server("--initial-node", "--published-address", "127.0.0.1:7001");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--internode-plaintext-for-development");
  }

  @Test
  void publishedAddressIsRequiredAndNeverGuessed() {
    var r = server("--seeds", "10.0.0.1:7001", "--internode-plaintext-for-development");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--published-address is required", "never guesses");
  }

  @Test
  void wildcardPublishedAddressIsRefused() {
    var r =
        server(
            "--initial-node",
            "--internode-plaintext-for-development",
            "--published-address",
            "0.0.0.0:7001");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--published-address must be reachable by peers");
  }

  @Test
  void malformedSeedIsNamed() {
    var r =
        server(
            "--seeds",
            "10.0.0.1:7001,10.0.0.2",
            "--published-address",
            "10.0.0.3:7001",
            "--internode-plaintext-for-development");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--seeds must be host:port", "'10.0.0.2'");
  }

  @Test
  void badValuesNameTheirFlag() {
    String[] base = {
      "--initial-node", "--internode-plaintext-for-development", "--published-address", "h:7001"
    };
    assertThat(server(concat(base, "--hint-window", "0s")).err())
        .contains("--hint-window must be positive");
    assertThat(server(concat(base, "--hint-window", "soon")).err())
        .contains("--hint-window must be a duration");
    assertThat(server(concat(base, "--default-consistency", "TWO")).err())
        .contains("--default-consistency must be ONE, QUORUM or ALL");
    assertThat(server(concat(base, "--host-id", "a/b")).err()).contains("--host-id", "a/b");
    assertThat(server(concat(base, "--replication-factor", "0")).err())
        .contains("replicationFactor must be >= 1");
    assertThat(server(concat(base, "--seeds", "a:1", "--seed-dns", "seeds.local")).err())
        .contains("--seeds and --seed-dns are alternatives");
  }

  private static String[] concat(String[] a, String... b) {
    var out = new ArrayList<>(List.of(a));
    out.addAll(List.of(b));
    return out.toArray(String[]::new);
  }
}
