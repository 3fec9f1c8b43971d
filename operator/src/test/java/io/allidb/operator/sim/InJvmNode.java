package io.allidb.operator.sim;

import io.allidb.dataplane.cli.ServerLaunch;
import io.allidb.dataplane.server.ClusterRuntime;
import io.allidb.dataplane.server.DataplaneServer;
import io.allidb.dataplane.server.GossipClusterRuntime;
import io.allidb.dataplane.server.NodeConfig;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One real data-plane node in this JVM, configured exactly as {@code allidb server ARGS} would be
 * in environment ENV ({@link ServerLaunch}), on the production gossip runtime with a short gossip
 * interval so scenarios take seconds. Thread-safe.
 */
public final class InJvmNode implements AutoCloseable {
  static final Duration GOSSIP_INTERVAL = Duration.ofMillis(200);

  private final String pod;
  private final DataplaneServer server;

  private InJvmNode(String pod, DataplaneServer server) {
    this.pod = pod;
    this.server = server;
  }

  /** Starts the node; returns once it serves (a joining node has finished its bootstrap). */
  static InJvmNode start(String pod, List<String> args, Map<String, String> env)
      throws IOException {
    return start(pod, args, env, null);
  }

  /**
   * As {@link #start(String, List, Map)}, the node reading wall time from {@code clock} (write
   * timestamps, API-key and certificate expiry) instead of the system clock, when not null.
   */
  static InJvmNode start(String pod, List<String> args, Map<String, String> env, Clock clock)
      throws IOException {
    var launch = ServerLaunch.prepare(args, env, new PrometheusRegistry());
    var c = launch.config();
    var storage = clock == null ? c.storage() : c.storage().toBuilder().clock(clock).build();
    // shutdown waits a second, not the production grace: a simulated pod delete is a quick stop
    var config =
        new NodeConfig(
            c.nodeId(),
            c.dataDir(),
            c.bindAddress(),
            c.grpcPort(),
            c.httpPort(),
            c.apiKeyFile(),
            storage,
            c.maxInboundMessageBytes(),
            Duration.ofSeconds(1),
            c.vectorDimension(),
            c.query(),
            c.cluster(),
            c.ai(),
            c.security());
    ClusterRuntime.Factory runtime =
        launch.clusterNode()
            ? GossipClusterRuntime.factory(null, GOSSIP_INTERVAL)
            : ClusterRuntime::singleNode;
    var server =
        new DataplaneServer(
                DataplaneServer.forNetty(config), config, DataplaneServer.graphRag(config), runtime)
            .start();
    return new InJvmNode(pod, server);
  }

  public String pod() {
    return pod;
  }

  public DataplaneServer server() {
    return server;
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      System.out.println("[sim] closing " + pod + ": " + e);
    }
  }
}
