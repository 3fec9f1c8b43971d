package io.allidb.dataplane.cluster;

import io.allidb.api.admin.NodeAdminGrpc;
import io.allidb.api.proto.AlliDBGrpc;
import io.allidb.api.proto.ConsistencyLevel;
import io.allidb.api.proto.Entity;
import io.allidb.api.proto.GetEntityRequest;
import io.allidb.api.proto.PutEntityRequest;
import io.allidb.api.proto.TextChunk;
import io.allidb.dataplane.cluster.hints.HintOptions;
import io.allidb.dataplane.cluster.transport.NetworkFaults;
import io.allidb.dataplane.security.Scope;
import io.allidb.dataplane.server.ApiKeyAuthInterceptor;
import io.allidb.dataplane.server.ClusterOptions;
import io.allidb.dataplane.server.DataplaneServer;
import io.allidb.dataplane.server.GossipClusterRuntime;
import io.allidb.dataplane.server.NodeConfig;
import io.allidb.dataplane.server.TestNode;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Real {@link DataplaneServer}s in this JVM on the production gossip runtime ({@link
 * GossipClusterRuntime}: gossip, phi-accrual detection, pooled internode channels, internode
 * server) on loopback, sharing one {@link NetworkFaults}; node {@code i} is host {@code n<i+1>} in
 * rack {@code rack-<i>}, with one API key for one tenant. The fixture of the in-JVM cluster ITs.
 *
 * <p>Close it in {@code @AfterEach}.
 */
final class GossipNodes implements AutoCloseable {
  /** A key with the admin scope for the node admin API ({@link #admin}). */
  static final String ADMIN_KEY = "key-a.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

  private final Path root;
  private final String clusterName;
  private final int rf;
  private final Duration interval;
  private final NetworkFaults faults;
  private final String apiKey;
  private final Map<String, DataplaneServer> servers = new ConcurrentHashMap<>();
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final Map<String, GossipClusterRuntime> runtimes = new ConcurrentHashMap<>();
  private final Map<String, Integer> ports = new ConcurrentHashMap<>();

  /**
   * @param apiKey a key of the form {@code key-<prefix>.<secret>} granted to {@code tenant}
   */
  GossipNodes(
      Path root,
      String clusterName,
      int rf,
      Duration interval,
      NetworkFaults faults,
      String apiKey,
      String tenant)
      throws IOException {
    this.root = root;
    this.clusterName = clusterName;
    this.rf = rf;
    this.interval = interval;
    this.faults = faults;
    this.apiKey = apiKey;
    Files.writeString(
        root.resolve("keys"),
        TestNode.keyLine(apiKey, tenant, EnumSet.of(Scope.READ, Scope.WRITE))
            + TestNode.keyLine(ADMIN_KEY, "_admin", EnumSet.of(Scope.ADMIN)));
  }

  static String host(int i) {
    return "n" + (i + 1);
  }

  /**
   * Starts node {@code i} on internode {@code port}, seeded by {@code seedPort} (itself for n1).
   */
  DataplaneServer start(int i, int port, int seedPort) throws Exception {
    String host = host(i);
    ports.put(host, port);
    Path dir = root.resolve(host);
    var cluster =
        ClusterOptions.builder()
            .clusterName(clusterName)
            .hostId(host)
            .rack("rack-" + i)
            .internodeBindAddress("127.0.0.1")
            .internodePort(port)
            .publishedAddress("127.0.0.1:" + port)
            .seeds(port == seedPort ? List.of() : List.of("127.0.0.1:" + seedPort))
            .initialNode(i == 0)
            .replicationFactor(rf)
            .readRepairChance(0)
            .plaintextInternode(true)
            .hints(HintOptions.defaults(dir.resolve("hints")).withReplayInterval(interval))
            .build();
    var config =
        NodeConfig.builder(dir)
            .nodeId(host)
            .bindAddress("127.0.0.1")
            .grpcPort(0)
            .httpPort(-1)
            .shutdownGrace(Duration.ofSeconds(1))
            .apiKeyFile(root.resolve("keys"))
            .cluster(cluster)
            .build();
    var factory = GossipClusterRuntime.factory(faults, interval);
    var server =
        new DataplaneServer(
                DataplaneServer.forNetty(config),
                config,
                DataplaneServer.graphRag(config),
                c -> {
                  var runtime = (GossipClusterRuntime) factory.create(c);
                  runtimes.put(c.hostId(), runtime);
                  return runtime;
                })
            .start();
    servers.put(host, server);
    channels.put(
        host, NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build());
    return server;
  }

  /** Stops a node (its data directory stays, so it can be started again on {@link #port}). */
  void stop(String host) throws Exception {
    ManagedChannel c = channels.remove(host);
    if (c != null) {
      c.shutdownNow();
    }
    DataplaneServer s = servers.remove(host);
    if (s != null) {
      s.close();
    }
  }

  DataplaneServer server(String host) {
    return servers.get(host);
  }

  Map<String, DataplaneServer> servers() {
    return servers;
  }

  GossipClusterRuntime runtime(String host) {
    return runtimes.get(host);
  }

  int port(String host) {
    return ports.get(host);
  }

  AlliDBGrpc.AlliDBBlockingStub stub(String host) {
    var md = new Metadata();
    md.put(ApiKeyAuthInterceptor.API_KEY, apiKey);
    return AlliDBGrpc.newBlockingStub(channels.get(host))
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** A node-admin stub to {@code host} with the admin key and a {@code seconds} deadline. */
  NodeAdminGrpc.NodeAdminBlockingStub admin(String host, long seconds) {
    var md = new Metadata();
    md.put(ApiKeyAuthInterceptor.API_KEY, ADMIN_KEY);
    return NodeAdminGrpc.newBlockingStub(channels.get(host))
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
        .withDeadlineAfter(seconds, TimeUnit.SECONDS);
  }

  /** Writes entity {@code id} with metadata {@code v = version} through {@code host}. */
  void put(String host, String id, long version, ConsistencyLevel level) {
    stub(host)
        .putEntity(
            PutEntityRequest.newBuilder()
                .setConsistencyLevel(level)
                .setEntity(
                    Entity.newBuilder()
                        .setEntityId(id)
                        .addChunks(
                            TextChunk.newBuilder()
                                .setChunkId(id + "#0")
                                .setText("v")
                                .putMetadata("v", Long.toString(version))))
                .build());
  }

  /** Reads back the {@code v} metadata {@link #put} wrote. */
  long version(String host, String id, ConsistencyLevel level) {
    var e =
        stub(host)
            .getEntity(
                GetEntityRequest.newBuilder().setEntityId(id).setConsistencyLevel(level).build())
            .getEntity();
    return Long.parseLong(e.getChunks(0).getMetadataOrThrow("v"));
  }

  @Override
  public void close() throws Exception {
    channels.values().forEach(ManagedChannel::shutdownNow);
    for (DataplaneServer s : servers.values()) {
      s.close();
    }
  }
}
