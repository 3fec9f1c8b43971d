package io.allidb.dataplane.cli;

import io.allidb.dataplane.query.QueryDefaults;
import io.allidb.dataplane.query.ScoringWeights;
import io.allidb.dataplane.server.ClusterOptions;
import io.allidb.dataplane.server.ClusterRuntime;
import io.allidb.dataplane.server.DataplaneServer;
import io.allidb.dataplane.server.GossipClusterRuntime;
import io.allidb.dataplane.server.NodeConfig;
import io.allidb.dataplane.storage.StorageOptions;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code allidb server}: runs one node in the foreground until SIGTERM/SIGINT, then shuts down
 * gracefully. With no options it is a dev node: data in {@code ./data} (or {@code
 * $ALLIDB_DATA_DIR}), gRPC on 7000, and a generated API key printed once at first start. With
 * {@code --initial-node} or seeds it is a cluster node ({@link ClusterFlags}; {@code
 * docs/cluster.md}, "Running a cluster").
 *
 * <p>Not thread-safe; picocli fills the fields, then calls {@link #call()} once.
 */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    description = "Start an AlliDB node in the foreground.")
final class ServerCommand implements Callable<Integer> {

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "Properties file whose keys are defaults of these flags (default: $ALLIDB_CONFIG_FILE;"
              + " keys in docs/operator.md). Flags and ALLIDB_* variables override it.")
  Path config;

  @Option(
      names = "--data-dir",
      description = "Data directory (default: $ALLIDB_DATA_DIR, else ./data).")
  Path dataDir;

  @Option(
      names = "--node-id",
      defaultValue = "node-1",
      description = "Node id (default: ${DEFAULT-VALUE}).")
  String nodeId;

  @Option(
      names = "--bind",
      defaultValue = "0.0.0.0",
      description = "Listen address (default: ${DEFAULT-VALUE}).")
  String bind;

  @Option(
      names = "--grpc-port",
      defaultValue = "7000",
      description = "Public gRPC port (default: ${DEFAULT-VALUE}).")
  int grpcPort;

  @Option(
      names = "--http-port",
      defaultValue = "7080",
      description = "REST mirror port; -1 disables it (default: ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(
      names = "--api-key-file",
      description =
          "API key set: a file of key lines or a directory of such files (a mounted Secret);"
              + " reloaded on change (docs/security.md). Without it a dev key is generated in"
              + " <data-dir>/api-keys.")
  Path apiKeyFile;

  @Mixin TlsFlags tls;

  @Spec CommandSpec spec;

  @Option(
      names = "--max-message-bytes",
      defaultValue = "16777216",
      description = "Largest accepted request in bytes (default: ${DEFAULT-VALUE}).")
  int maxMessageBytes;

  @Option(
      names = "--vector-dimension",
      defaultValue = "0",
      description = "Required embedding dimension; 0 accepts any (default: ${DEFAULT-VALUE}).")
  int vectorDimension;

  @Option(
      names = "--score-weights",
      defaultValue = "1.0,0.3,0.2,0.1",
      description =
          "Default query score weights vector,graph,importance,recency; a request's weights"
              + " override them (default: ${DEFAULT-VALUE}, the original's).")
  String scoreWeights;

  @Mixin ClusterFlags cluster;

  @Mixin AiFlags ai;

  private final PrintStream out = System.out;
  private final PrintStream err = System.err;

  /** The environment the defaults came from ({@link ServerConfigFile}). */
  Map<String, String> env = System.getenv();

  /** Defaults from the config file and environment; installed by {@link #install}. */
  ServerConfigFile defaults;

  /** What {@link #prepare} built: the node's configuration and whether it is a cluster node. */
  record Prepared(NodeConfig config, boolean clusterNode) {}

  /**
   * Makes {@code command}'s flags default to the config file and environment for {@code args}.
   *
   * @throws picocli.CommandLine.ParameterException naming the file and key
   */
  static void install(CommandLine command, List<String> args, Map<String, String> env) {
    var server = (ServerCommand) command.getCommand();
    ServerConfigFile defaults;
    try {
      defaults = ServerConfigFile.of(args, env);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(command, e.getMessage(), e);
    }
    server.env = env;
    server.defaults = defaults;
    command.setDefaultValueProvider(defaults);
  }

  @Override
  public Integer call() throws Exception {
    Prepared prepared = prepare(PrometheusRegistry.defaultRegistry);
    NodeConfig config = prepared.config();
    Optional<ClusterOptions> clusterOptions =
        prepared.clusterNode() ? Optional.of(config.cluster()) : Optional.empty();
    if (tls.plaintext()) {
      err.println(
          "WARNING: gRPC and REST serve PLAINTEXT (development); pass --tls-cert/--tls-key.");
    }
    ClusterRuntime.Factory runtimes =
        clusterOptions.isPresent() ? GossipClusterRuntime.factory() : ClusterRuntime::singleNode;
    if (clusterOptions.isPresent() && clusterOptions.get().plaintextInternode()) {
      err.println(
          "WARNING: internode traffic is PLAINTEXT (--internode-plaintext-for-development).");
    }
    DataplaneServer server =
        new DataplaneServer(
                DataplaneServer.forNetty(config),
                config,
                DataplaneServer.graphRag(config),
                runtimes)
            .start();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    server.close();
                  } catch (Exception e) {
                    err.println("shutdown failed: " + e);
                  }
                },
                "allidb-shutdown"));
    out.println(
        "AlliDB node "
            + nodeId
            + " listening on "
            + bind
            + ": gRPC "
            + server.port()
            + (server.httpPort() < 0 ? "" : ", REST " + server.httpPort())
            + clusterOptions
                .map(
                    c ->
                        ", internode "
                            + c.publishedAddress()
                            + " (cluster "
                            + c.clusterName()
                            + ", host "
                            + config.hostId()
                            + ")")
                .orElse(""));
    server.awaitTermination();
    return 0;
  }

  /**
   * Checks the flags and builds the node's configuration without starting it; creates the dev key
   * set when no key file is given.
   *
   * @param metrics where the node's storage metrics go
   * @throws picocli.CommandLine.ParameterException naming the flag or key and why
   */
  Prepared prepare(PrometheusRegistry metrics) throws java.io.IOException {
    Path dir = dataDir != null ? dataDir : defaultDataDir();
    if (defaults != null) {
      cluster.advertiseHost = defaults.advertiseHost();
      if (nodeId.equals(defaults.initialNode())) {
        cluster.initialNode = true; // every pod reads the same file; only this one starts the ring
      }
    }
    cluster.internodeTls = tls.internodeDir != null;
    Optional<ClusterOptions> clusterOptions = cluster.toOptions(bind, dir);
    Path keys = apiKeyFile != null ? apiKeyFile : dir.resolve("api-keys");
    if (apiKeyFile == null) {
      if (Files.notExists(keys)) {
        String key = DevApiKey.create(keys);
        // printed once: the file is the only other place it exists
        out.println("Generated a dev API key for tenant '" + DevApiKey.TENANT + "' (shown once):");
        out.println("  " + key);
        out.println(
            "Send it as x-allidb-api-key. The node stores only its hash in "
                + keys
                + "; the key itself is in "
                + DevApiKey.clientFile(keys)
                + " (0600) for the local CLI.");
      }
      err.println("*****************************************************************");
      err.println("WARNING: authentication is in DEV MODE (generated key in " + keys + ").");
      err.println("Do not expose this node; pass --api-key-file for real keys.");
      err.println("*****************************************************************");
    }
    NodeConfig.Builder builder =
        NodeConfig.builder(dir)
            .security(tls.toOptions(spec.commandLine(), nodeId))
            .nodeId(nodeId)
            .bindAddress(bind)
            .grpcPort(grpcPort)
            .httpPort(httpPort)
            .apiKeyFile(keys)
            // one node per JVM here, so its metrics go where GET /metrics and agents look
            .storage(StorageOptions.builder(dir.resolve("storage")).metrics(metrics).build())
            .maxInboundMessageBytes(maxMessageBytes)
            .vectorDimension(vectorDimension)
            .ai(ai.options())
            .query(QueryDefaults.standard().withWeights(ScoringWeights.parse(scoreWeights)));
    clusterOptions.ifPresent(builder::cluster);
    try {
      return new Prepared(builder.build(), clusterOptions.isPresent());
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }

  private Path defaultDataDir() {
    String dir = env.get("ALLIDB_DATA_DIR");
    return Path.of(dir != null && !dir.isBlank() ? dir : "data");
  }
}
