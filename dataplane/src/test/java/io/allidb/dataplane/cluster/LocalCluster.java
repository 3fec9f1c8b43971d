package io.allidb.dataplane.cluster;

import io.allidb.api.admin.NodeAdminGrpc;
import io.allidb.api.proto.AlliDBGrpc;
import io.allidb.dataplane.cluster.hints.HintOptions;
import io.allidb.dataplane.cluster.ring.TokenRing;
import io.allidb.dataplane.cluster.transport.Peers;
import io.allidb.dataplane.cluster.transport.ReplicaHandler;
import io.allidb.dataplane.node.EntityStore;
import io.allidb.dataplane.security.Scope;
import io.allidb.dataplane.server.ApiKeyAuthInterceptor;
import io.allidb.dataplane.server.ClusterOptions;
import io.allidb.dataplane.server.ClusterRuntime;
import io.allidb.dataplane.server.DataplaneServer;
import io.allidb.dataplane.server.NodeConfig;
import io.allidb.dataplane.server.TestNode;
import io.allidb.dataplane.storage.StorageOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;

/**
 * Several real nodes in one JVM: each a {@link DataplaneServer} with its own data directory, public
 * gRPC and internode gRPC on loopback TCP ports, over one fixed ring ({@link StaticClusterView})
 * whose liveness the test sets, standing in for the failure detector. Stopping a node closes it
 * (its port goes away); restarting reopens the same data directory on new ports.
 */
public final class LocalCluster implements AutoCloseable {
  public static final String TENANT = "acme";
  public static final String KEY = "key-c.cccccccccccccccccccccccccccccccc";

  /** A second tenant and its key, for tests that one tenant never sees the other's data. */
  public static final String OTHER_TENANT = "globex";

  public static final String OTHER_KEY = "key-g.gggggggggggggggggggggggggggggggg";

  /** A key with the admin scope (ScopePolicy) for the node admin API. */
  public static final String ADMIN_KEY = "key-a.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

  private final Path root;
  private final int rf;
  private final TokenRing ring;
  private final UnaryOperator<ClusterOptions.Builder> options;
  private Duration replayInterval = Duration.ofHours(1);
  private final Map<String, String> addresses = new ConcurrentHashMap<>();
  private final Set<String> down = ConcurrentHashMap.newKeySet();
  private final DataplaneServer[] servers;
  private final ManagedChannel[] channels;

  private LocalCluster(
      Path root, int nodes, int rf, long seed, UnaryOperator<ClusterOptions.Builder> options) {
    this.root = root;
    this.rf = rf;
    this.options = options;
    this.servers = new DataplaneServer[nodes];
    this.channels = new ManagedChannel[nodes];
    var rnd = new Random(seed);
    var members = new ArrayList<TokenRing.Member>();
    for (int i = 0; i < nodes; i++) {
      var tokens = new ArrayList<Long>();
      for (int v = 0; v < 8; v++) {
        tokens.add(rnd.nextLong());
      }
      members.add(new TokenRing.Member(host(i), "rack-" + i, tokens));
    }
    this.ring = TokenRing.of(1, members);
  }

  /** Starts {@code nodes} nodes at replication factor {@code rf}; hint replay is manual. */
  public static LocalCluster start(
      Path root, int nodes, int rf, UnaryOperator<ClusterOptions.Builder> options)
      throws IOException {
    return start(root, nodes, rf, Duration.ofHours(1), options);
  }

  /** Starts nodes whose hint replayers run every {@code replayInterval}. */
  public static LocalCluster start(
      Path root,
      int nodes,
      int rf,
      Duration replayInterval,
      UnaryOperator<ClusterOptions.Builder> options)
      throws IOException {
    var cluster = new LocalCluster(root, nodes, rf, 42, options);
    cluster.replayInterval = replayInterval;
    Files.createDirectories(root);
    Files.writeString(
        root.resolve("keys"),
        TestNode.keyLine(KEY, TENANT, EnumSet.of(Scope.READ, Scope.WRITE))
            + TestNode.keyLine(OTHER_KEY, OTHER_TENANT, EnumSet.of(Scope.READ, Scope.WRITE))
            + TestNode.keyLine(ADMIN_KEY, "_admin", EnumSet.of(Scope.ADMIN)));
    try {
      for (int i = 0; i < nodes; i++) {
        cluster.startNode(i);
      }
    } catch (IOException | RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  public static String host(int i) {
    return "n" + (i + 1);
  }

  public int size() {
    return servers.length;
  }

  public TokenRing ring() {
    return ring;
  }

  private void startNode(int i) throws IOException {
    Path dir = root.resolve(host(i));
    var cluster =
        options.apply(
            ClusterOptions.builder()
                .hostId(host(i))
                .rack("rack-" + i)
                .replicationFactor(rf)
                .readRepairChance(0)
                .plaintextInternode(true)
                .hints(
                    HintOptions.defaults(dir.resolve("hints")).withReplayInterval(replayInterval)));
    NodeConfig config =
        NodeConfig.builder(dir)
            .nodeId(host(i))
            .bindAddress("127.0.0.1")
            .grpcPort(0)
            .httpPort(-1)
            .shutdownGrace(Duration.ofSeconds(1))
            .apiKeyFile(root.resolve("keys"))
            .storage(StorageOptions.builder(dir.resolve("storage")).build())
            .cluster(cluster.build())
            .build();
    var server =
        new DataplaneServer(
                DataplaneServer.forNetty(config),
                config,
                DataplaneServer.graphRag(config),
                c -> new Runtime(c.hostId()))
            .start();
    servers[i] = server;
    channels[i] = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    down.remove(host(i));
  }

  /** Closes a node and marks it down, as the failure detector would. */
  public void stop(int i) throws IOException {
    down.add(host(i));
    channels[i].shutdownNow();
    servers[i].close();
    servers[i] = null;
    addresses.remove(host(i));
  }

  /** Reopens a stopped node on its data directory. */
  public void restart(int i) throws IOException {
    startNode(i);
  }

  /** Marks a node down or up in every view without stopping it (a false suspicion). */
  public void markDown(int i, boolean isDown) {
    if (isDown) {
      down.add(host(i));
    } else {
      down.remove(host(i));
    }
  }

  public DataplaneServer server(int i) {
    return servers[i];
  }

  public EntityStore store(int i) {
    return servers[i].entityStore();
  }

  /** A blocking public-API stub to node {@code i} with the tenant's key and a 20 s deadline. */
  public AlliDBGrpc.AlliDBBlockingStub stub(int i) {
    return stub(i, KEY);
  }

  /** A blocking public-API stub to node {@code i} with the given key and a 20 s deadline. */
  public AlliDBGrpc.AlliDBBlockingStub stub(int i, String key) {
    var md = new Metadata();
    md.put(ApiKeyAuthInterceptor.API_KEY, key);
    return AlliDBGrpc.newBlockingStub(channels[i])
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
        .withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  /** A blocking node-admin stub to node {@code i} with the admin key and a 20 s deadline. */
  public NodeAdminGrpc.NodeAdminBlockingStub admin(int i) {
    var md = new Metadata();
    md.put(ApiKeyAuthInterceptor.API_KEY, ADMIN_KEY);
    return NodeAdminGrpc.newBlockingStub(channels[i])
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
        .withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  /** The replicas of an entity of the tenant, in placement order. */
  public List<String> replicasOf(String id) {
    return ring.replicasFor(TENANT, id, rf);
  }

  @Override
  public void close() throws IOException {
    for (int i = 0; i < servers.length; i++) {
      if (channels[i] != null) {
        channels[i].shutdownNow();
      }
      if (servers[i] != null) {
        servers[i].close();
      }
    }
  }

  /** One node's static view, test peers and internode server on an ephemeral loopback port. */
  private final class Runtime implements ClusterRuntime {
    private final StaticClusterView view;
    private final TestingPeers peers;
    private Server server;

    Runtime(String hostId) {
      this.view = new StaticClusterView(hostId, ring, rf, addresses, down);
      this.peers = new TestingPeers(view, Duration.ofSeconds(5));
    }

    @Override
    public ClusterView view() {
      return view;
    }

    @Override
    public Peers peers() {
      return peers;
    }

    @Override
    public void start(ReplicaHandler replica, LongSupplier loadBytes) throws IOException {
      server =
          NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
              .addService(new TestingInternodeService(replica))
              .build()
              .start();
      addresses.put(view.localHostId(), "127.0.0.1:" + server.getPort());
    }

    @Override
    public void close() {
      peers.close();
      if (server != null) {
        server.shutdownNow();
        try {
          server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
