package io.allidb.dataplane.cli;

import io.allidb.dataplane.server.NodeConfig;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * The configuration {@code allidb server ARGS} would start with in environment {@code env}, built
 * by the same code (flags, {@code --config} file, {@code ALLIDB_*} variables) without starting a
 * node. For harnesses that run nodes inside one JVM (the operator's simulated cluster), so what
 * they start is what a pod would.
 */
public final class ServerLaunch {
  private ServerLaunch() {}

  /**
   * @param config the node's configuration
   * @param clusterNode whether the arguments make it a cluster node (gossip runtime)
   */
  public record Launch(NodeConfig config, boolean clusterNode) {}

  /** Every key a config file may hold ({@code docs/operator.md}, "Node configuration file"). */
  public static java.util.Set<String> configKeys() {
    return ServerConfigFile.knownKeys();
  }

  /**
   * @param args the arguments after {@code server}
   * @param env the environment ({@code ALLIDB_*} variables, {@code ALLIDB_CONFIG_FILE})
   * @param metrics the registry of this node's metrics (one per node when several share a JVM)
   * @throws IllegalArgumentException naming the flag, variable or config key and why
   */
  public static Launch prepare(
      List<String> args, Map<String, String> env, PrometheusRegistry metrics) throws IOException {
    var command = new ServerCommand();
    var cli = new CommandLine(command);
    try {
      ServerCommand.install(cli, args, env);
      cli.parseArgs(args.toArray(String[]::new));
      var prepared = command.prepare(metrics);
      return new Launch(prepared.config(), prepared.clusterNode());
    } catch (CommandLine.ParameterException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }
}
