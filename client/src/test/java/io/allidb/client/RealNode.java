package io.allidb.client;

import io.allidb.dataplane.security.Scope;
import io.allidb.dataplane.security.SecurityOptions;
import io.allidb.dataplane.server.DataplaneServer;
import io.allidb.dataplane.server.NodeConfig;
import io.allidb.dataplane.server.TestNode;
import io.allidb.dataplane.storage.StorageOptions;
import io.allidb.dataplane.testing.NodeProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;

/**
 * One real node in this JVM (real storage in a temp directory, real gRPC server on a loopback port)
 * that keeps its port and data across {@link #stop()} and {@link #start()}, as a pod does across a
 * restart, so a client pointed at it can ride the restart out.
 */
final class RealNode implements AutoCloseable {
  static final String TENANT = "acme";
  static final String KEY = "app-1.0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";
  static final String READ_KEY = "reader.0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";
  static final String ADMIN_KEY = "operator.0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";
  static final String OTHER_TENANT_KEY = "other.0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";

  private final NodeConfig config;
  private DataplaneServer server;

  RealNode(Path dir, SecurityOptions security) throws IOException {
    Files.createDirectories(dir);
    Path keys = dir.resolve("keys");
    Files.writeString(
        keys,
        TestNode.keyLine(KEY, TENANT, EnumSet.of(Scope.READ, Scope.WRITE))
            + TestNode.keyLine(READ_KEY, TENANT, EnumSet.of(Scope.READ))
            + TestNode.keyLine(ADMIN_KEY, "_admin", EnumSet.of(Scope.ADMIN))
            + TestNode.keyLine(OTHER_TENANT_KEY, "other", EnumSet.of(Scope.READ, Scope.WRITE)));
    this.config =
        NodeConfig.builder(dir)
            .nodeId("n1")
            .bindAddress("127.0.0.1")
            .grpcPort(NodeProcess.freePort())
            .httpPort(-1)
            .shutdownGrace(Duration.ofSeconds(1))
            .apiKeyFile(keys)
            .storage(StorageOptions.builder(dir.resolve("storage")).build())
            .security(security)
            .build();
  }

  RealNode(Path dir) throws IOException {
    this(dir, SecurityOptions.builder().build());
  }

  RealNode start() throws IOException {
    server = new DataplaneServer(DataplaneServer.forNetty(config), config).start();
    return this;
  }

  void stop() throws IOException {
    server.close();
    server = null;
  }

  String address() {
    return "127.0.0.1:" + config.grpcPort();
  }

  int port() {
    return config.grpcPort();
  }

  @Override
  public void close() throws IOException {
    if (server != null) {
      stop();
    }
  }
}
