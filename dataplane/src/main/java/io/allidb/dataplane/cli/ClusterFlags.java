package io.allidb.dataplane.cli;

import io.allidb.api.proto.ConsistencyLevel;
import io.allidb.dataplane.cluster.hints.HintFormat;
import io.allidb.dataplane.cluster.hints.HintOptions;
import io.allidb.dataplane.server.ClusterOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The cluster options of {@code allidb server}. A node is part of a cluster when it is given {@code
 * --initial-node} (it starts a new cluster) or seeds ({@code --seeds} / {@code --seed-dns}: it
 * joins one); otherwise it is a single node exactly as before, and any other cluster flag is a
 * usage error naming the flag. Every flag is checked here so that a mistake is reported as "which
 * flag and why", not as a stack trace from deep in the node.
 *
 * <p>Not thread-safe; picocli fills the fields.
 */
final class ClusterFlags {
  private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[^:\\s]+):(\\d+)");
  private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @Option(
      names = "--cluster-name",
      description = "Cluster name; nodes gossip only within one (default: allidb).")
  String clusterName;

  @Option(
      names = "--host-id",
      description =
          "Stable ring identity, [A-Za-z0-9._-] (default: the node id). Saved in the data"
              + " directory; it can never change for that directory.")
  String hostId;

  @Option(names = "--rack", description = "Rack or zone; replicas go to distinct racks first.")
  String rack;

  @Option(
      names = "--internode-bind",
      description = "Address the internode listener binds to (default: the --bind address).")
  String internodeBind;

  @Option(
      names = "--internode-port",
      description = "Internode (node-to-node) port (default: 7001).")
  Integer internodePort;

  @Option(
      names = "--published-address",
      description =
          "host:port at which peers reach this node's internode port (the pod IP or a DNS name)."
              + " Required for a cluster node: it is never guessed.")
  String publishedAddress;

  @Option(
      names = "--seeds",
      split = ",",
      description = "Internode host:port of nodes to learn the cluster from, comma-separated.")
  List<String> seeds;

  @Option(
      names = "--seed-dns",
      description =
          "A DNS name (on Kubernetes a headless Service) whose addresses are the seeds, with the"
              + " internode port of --published-address.")
  String seedDns;

  @Option(
      names = "--initial-node",
      description =
          "Start a new cluster: a node without a saved ring identity takes evenly spaced tokens at"
              + " once instead of waiting to learn the ring from its seeds. Give it to one node"
              + " only, once.")
  boolean initialNode;

  @Option(names = "--replication-factor", description = "Copies of every row (default: 3).")
  Integer replicationFactor;

  @Option(names = "--vnodes", description = "Tokens a new node takes (default: 16).")
  Integer vnodes;

  @Option(
      names = "--default-consistency",
      description = "Level of requests that set none: ONE, QUORUM or ALL (default: QUORUM).")
  String defaultConsistency;

  @Option(names = "--hint-dir", description = "Hint directory (default: <data-dir>/hints).")
  Path hintDir;

  @Option(
      names = "--hint-window",
      description = "Hints older than this are dropped; repair is the way back (default: 3h).")
  String hintWindow;

  @Option(
      names = "--internode-plaintext-for-development",
      description =
          "Unencrypted, unauthenticated internode traffic. Required for a cluster node until"
              + " internode mTLS exists; development only.")
  boolean plaintext;

  @Option(
      names = "--hint-replay-interval",
      hidden = true,
      description = "How often hints are replayed to live targets (default: 10s).")
  String hintReplayInterval;

  @Option(
      names = "--read-repair-chance",
      hidden = true,
      description = "Probability that a read at ONE repairs the other replicas (default: 0.1).")
  Double readRepairChance;

  @Option(
      names = "--join-timeout",
      hidden = true,
      description = "How long a new node waits to learn the ring from its seeds (default: 60s).")
  String joinTimeout;

  /**
   * Host of the published address when {@code --published-address} is not given (from {@code
   * $ALLIDB_ADVERTISE_ADDRESS}); its port is the internode port. Null when unset.
   */
  String advertiseHost;

  /**
   * Whether internode traffic has TLS material ({@code --internode-tls-dir}); set by the command.
   */
  boolean internodeTls;

  /** Whether the flags ask for a cluster node. */
  boolean clusterMode() {
    return initialNode || (seeds != null && !seeds.isEmpty()) || seedDns != null;
  }

  /**
   * The cluster options, or empty for a single node.
   *
   * @throws ParameterException naming the offending flag
   */
  Optional<ClusterOptions> toOptions(String bind, Path dataDir) {
    if (!clusterMode()) {
      String stray = strayClusterFlag();
      if (stray != null) {
        throw usage(
            stray
                + " only applies to a cluster node: add --initial-node (the first node of a new"
                + " cluster) or --seeds/--seed-dns (a node joining one)");
      }
      return Optional.empty();
    }
    if (seeds != null && seedDns != null) {
      // one may be a default from the config file: the one given on the command line wins
      var parsed = spec.commandLine().getParseResult();
      boolean seedsGiven = parsed != null && parsed.hasMatchedOption("--seeds");
      boolean dnsGiven = parsed != null && parsed.hasMatchedOption("--seed-dns");
      if (seedsGiven && !dnsGiven) {
        seedDns = null;
      } else if (dnsGiven && !seedsGiven) {
        seeds = null;
      } else {
        throw usage("--seeds and --seed-dns are alternatives; give one");
      }
    }
    if (!plaintext && !internodeTls) {
      throw usage(
          "a cluster node needs --internode-tls-dir (internode mTLS) or, for development,"
              + " --internode-plaintext-for-development: plaintext is never chosen by omission");
    }
    if (publishedAddress == null && advertiseHost != null) {
      publishedAddress =
          advertiseHost
              + ":"
              + (internodePort != null ? internodePort : ClusterOptions.DEFAULT_INTERNODE_PORT);
    }
    if (publishedAddress == null) {
      throw usage(
          "--published-address is required for a cluster node: the host:port peers reach its"
              + " internode port at (AlliDB never guesses it)");
    }
    checkHostPort("--published-address", publishedAddress);
    if (publishedAddress.startsWith("0.0.0.0:") || publishedAddress.startsWith("[::]:")) {
      throw usage(
          "--published-address must be reachable by peers, not the wildcard; got "
              + publishedAddress);
    }
    var seedList = new ArrayList<String>();
    if (seeds != null) {
      for (String s : seeds) {
        checkHostPort("--seeds", s.trim());
        seedList.add(s.trim());
      }
    }
    var b = ClusterOptions.builder().plaintextInternode(!internodeTls).initialNode(initialNode);
    b.publishedAddress(publishedAddress).seeds(seedList);
    if (seedDns != null) {
      b.seedDnsName(seedDns);
    }
    if (clusterName != null) {
      b.clusterName(clusterName);
    }
    if (hostId != null) {
      try {
        b.hostId(HintFormat.checkHostId(hostId));
      } catch (IllegalArgumentException e) {
        throw usage("--host-id: " + e.getMessage());
      }
    }
    if (rack != null) {
      b.rack(rack);
    }
    b.internodeBindAddress(internodeBind != null ? internodeBind : bind);
    if (internodePort != null) {
      b.internodePort(internodePort);
    }
    if (replicationFactor != null) {
      b.replicationFactor(replicationFactor);
    }
    if (vnodes != null) {
      b.vnodes(vnodes);
    }
    if (defaultConsistency != null) {
      b.defaultConsistency(consistency(defaultConsistency));
    }
    HintOptions hints = HintOptions.defaults(hintDir != null ? hintDir : dataDir.resolve("hints"));
    if (hintWindow != null) {
      hints = hints.withWindow(duration("--hint-window", hintWindow));
    }
    if (hintReplayInterval != null) {
      hints = hints.withReplayInterval(duration("--hint-replay-interval", hintReplayInterval));
    }
    b.hints(hints);
    if (readRepairChance != null) {
      b.readRepairChance(readRepairChance);
    }
    if (joinTimeout != null) {
      b.joinTimeout(duration("--join-timeout", joinTimeout));
    }
    try {
      return Optional.of(b.build());
    } catch (IllegalArgumentException e) {
      // ClusterOptions names the setting; the flags above map one to one
      throw usage(e.getMessage());
    }
  }

  private String strayClusterFlag() {
    Object[][] flags = {
      {"--cluster-name", clusterName},
      {"--host-id", hostId},
      {"--rack", rack},
      {"--internode-bind", internodeBind},
      {"--internode-port", internodePort},
      {"--published-address", publishedAddress},
      {"--replication-factor", replicationFactor},
      {"--vnodes", vnodes},
      {"--default-consistency", defaultConsistency},
      {"--hint-dir", hintDir},
      {"--hint-window", hintWindow},
      {"--hint-replay-interval", hintReplayInterval},
      {"--join-timeout", joinTimeout},
      {"--read-repair-chance", readRepairChance},
      {"--internode-plaintext-for-development", plaintext ? Boolean.TRUE : null},
    };
    for (Object[] f : flags) {
      if (f[1] != null) {
        return (String) f[0];
      }
    }
    return null;
  }

  private void checkHostPort(String flag, String value) {
    Matcher m = HOST_PORT.matcher(value);
    int port = m.matches() ? Integer.parseInt(m.group(2)) : -1;
    if (port < 1 || port > 65535) {
      throw usage(flag + " must be host:port with a port in [1, 65535]; got '" + value + "'");
    }
  }

  private ConsistencyLevel consistency(String value) {
    return switch (value.toUpperCase(Locale.ROOT)) {
      case "ONE" -> ConsistencyLevel.CONSISTENCY_ONE;
      case "QUORUM" -> ConsistencyLevel.CONSISTENCY_QUORUM;
      case "ALL" -> ConsistencyLevel.CONSISTENCY_ALL;
      default ->
          throw usage("--default-consistency must be ONE, QUORUM or ALL; got '" + value + "'");
    };
  }

  /** {@code 500ms}, {@code 30s}, {@code 90m}, {@code 3h}, {@code 1d} or ISO-8601 ({@code PT3H}). */
  private Duration duration(String flag, String value) {
    Duration d = parseDuration(flag, value);
    if (d.isZero() || d.isNegative()) {
      throw usage(flag + " must be positive; got '" + value + "'");
    }
    return d;
  }

  private Duration parseDuration(String flag, String value) {
    Matcher m = SHORT_DURATION.matcher(value.trim());
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    try {
      return Duration.parse(value.trim());
    } catch (DateTimeParseException e) {
      throw usage(flag + " must be a duration such as 30s, 90m or 3h; got '" + value + "'");
    }
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
