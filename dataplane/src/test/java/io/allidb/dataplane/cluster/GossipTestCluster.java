package io.allidb.dataplane.cluster;

import static org.awaitility.Awaitility.await;

import io.allidb.dataplane.cluster.gossip.GossipClusterView;
import io.allidb.dataplane.cluster.gossip.GossipOptions;
import io.allidb.dataplane.cluster.gossip.Gossiper;
import io.allidb.dataplane.cluster.gossip.SeedProvider;
import io.allidb.dataplane.cluster.proto.EndpointState;
import io.allidb.dataplane.cluster.proto.GossipDigestAck;
import io.allidb.dataplane.cluster.proto.GossipDigestAck2;
import io.allidb.dataplane.cluster.proto.GossipDigestSyn;
import io.allidb.dataplane.cluster.proto.NodeStatus;
import io.allidb.dataplane.cluster.transport.GossipReceiver;
import io.allidb.dataplane.cluster.transport.InternodeServer;
import io.allidb.dataplane.cluster.transport.NetworkFaults;
import io.allidb.dataplane.cluster.transport.PeerAddresses;
import io.allidb.dataplane.cluster.transport.PooledPeers;
import io.allidb.dataplane.cluster.transport.ReplicaHandler;
import io.grpc.Status;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;

/**
 * Several gossiping nodes in one JVM, each with its own internode server on a loopback port, its
 * own {@link PooledPeers} and {@link Gossiper}, all sharing one {@link NetworkFaults}. Hosts are
 * {@code n0..n(k-1)} on racks {@code rack-(i % racks)}; {@code n0} and {@code n1} are the seeds.
 *
 * <pre>{@code
 * try (var cluster = GossipTestCluster.builder().nodes(5).interval(Duration.ofMillis(200)).start()) {
 *   cluster.joinAll(16); // one at a time, each after the ring showed the previous one
 *   cluster.faults().partition(List.of(List.of("n0", "n1", "n2"), List.of("n3", "n4")));
 * }
 * }</pre>
 */
public final class GossipTestCluster implements AutoCloseable {
  private final Builder config;
  private final NetworkFaults faults;
  private final Map<String, Node> nodes = new LinkedHashMap<>();
  private final List<String> seedAddresses = new ArrayList<>();
  private final Random random;

  /** One running node; replaced by a new instance on restart. */
  public static final class Node implements AutoCloseable {
    public final String hostId;
    public final InternodeServer server;
    public final PooledPeers peers;
    public final Gossiper gossiper;
    public final GossipClusterView view;
    public final PrometheusRegistry metrics;
    public final String address;

    Node(
        String hostId,
        InternodeServer server,
        PooledPeers peers,
        Gossiper gossiper,
        GossipClusterView view,
        PrometheusRegistry metrics,
        String address) {
      this.hostId = hostId;
      this.server = server;
      this.peers = peers;
      this.gossiper = gossiper;
      this.view = view;
      this.metrics = metrics;
      this.address = address;
    }

    /** Stops gossip first so peers see silence, then the transport. */
    @Override
    public void close() {
      gossiper.close();
      server.close();
      peers.close();
    }
  }

  /** Hands gossip RPCs to a gossiper created after the server (which must bind first). */
  private static final class LateReceiver implements GossipReceiver {
    volatile Gossiper target;

    private Gossiper target() {
      Gossiper g = target;
      if (g == null) {
        throw Status.UNAVAILABLE.withDescription("gossiper not started").asRuntimeException();
      }
      return g;
    }

    @Override
    public GossipDigestAck onSyn(GossipDigestSyn syn) {
      return target().onSyn(syn);
    }

    @Override
    public void onAck2(GossipDigestAck2 ack2) {
      target().onAck2(ack2);
    }
  }

  private GossipTestCluster(Builder config) {
    this.config = config;
    this.faults = new NetworkFaults(config.seed);
    this.random = new Random(config.seed);
  }

  public static Builder builder() {
    return new Builder();
  }

  public NetworkFaults faults() {
    return faults;
  }

  public Node node(String hostId) {
    return nodes.get(hostId);
  }

  public List<Node> nodes() {
    return List.copyOf(nodes.values());
  }

  public List<String> hostIds() {
    return List.copyOf(nodes.keySet());
  }

  /** Starts (or restarts, with a new generation) node {@code hostId}, seeded by n0 and n1. */
  public Node startNode(String hostId, NodeStatus status, List<Long> tokens, long ringEpoch) {
    return startNode(hostId, status, tokens, ringEpoch, List.copyOf(seedAddresses));
  }

  /** Starts a new node with its own seed list. */
  public Node startNodeWithSeeds(String hostId, List<String> seeds) {
    return startNode(hostId, NodeStatus.JOINING, List.of(), 0, seeds);
  }

  private Node startNode(
      String hostId, NodeStatus status, List<Long> tokens, long ringEpoch, List<String> seeds) {
    int index = Integer.parseInt(hostId.substring(1));
    var receiver = new LateReceiver();
    var server =
        InternodeServer.builder()
            .bindAddress("127.0.0.1")
            .port(0)
            .plaintextForDevelopment()
            .gossip(receiver)
            .replicas(config.replicas)
            .shutdownGrace(Duration.ofMillis(200))
            .build();
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String address = "127.0.0.1:" + server.port();
    var metrics = new PrometheusRegistry();
    var peers =
        PooledPeers.builder()
            .localHostId(hostId)
            .addresses(new PeerAddresses())
            .plaintextForDevelopment()
            .defaultDeadline(Duration.ofSeconds(1))
            .faults(faults)
            .metrics(metrics)
            .build();
    var options =
        GossipOptions.builder()
            .clusterName(config.clusterName)
            .hostId(hostId)
            .internodeAddress(address)
            .rack("rack-" + (index % config.racks))
            .interval(config.interval)
            .seeds(SeedProvider.of(seeds))
            .randomSeed(random.nextLong())
            .build();
    var gossiper = new Gossiper(options, peers);
    var view = new GossipClusterView(gossiper, config.replicationFactor);
    receiver.target = gossiper;
    gossiper.start(status, tokens, ringEpoch);
    var node = new Node(hostId, server, peers, gossiper, view, metrics, address);
    nodes.put(hostId, node);
    if (index < 2 && seedAddresses.size() < 2 && !seedAddresses.contains(address)) {
      seedAddresses.add(address);
    }
    return node;
  }

  /** Stops a node as a crash would look to its peers (it just goes silent). */
  public void stopNode(String hostId) {
    nodes.get(hostId).close();
  }

  /** Joins every node to the ring, one at a time, each once every node's ring holds the last. */
  public void joinAll(int vnodes) {
    int members = 0;
    for (Node n : nodes.values()) {
      n.view.joinRing(vnodes);
      members++;
      int expected = members;
      awaitEverywhere(Duration.ofSeconds(10), v -> v.ring().members().size() == expected);
    }
  }

  /** Waits until {@code condition} holds on every running node's view. */
  public void awaitEverywhere(Duration atMost, Predicate<GossipClusterView> condition) {
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> nodes.values().stream().allMatch(n -> condition.test(n.view)));
  }

  /** The application fields of every member as {@code node} sees them (heartbeats excluded). */
  public static Map<String, EndpointState> appStates(Node node) {
    var out = new LinkedHashMap<String, EndpointState>();
    node.gossiper
        .states()
        .forEach((h, s) -> out.put(h, s.toBuilder().clearHeartbeatVersion().build()));
    return out;
  }

  @Override
  public void close() {
    nodes.values().forEach(Node::close);
  }

  /** Builder: 3 nodes, 1 rack, rf 3, 1 s interval, cluster "test" by default. */
  public static final class Builder {
    private int nodes = 3;
    private int racks = 1;
    private int replicationFactor = 3;
    private Duration interval = Duration.ofSeconds(1);
    private String clusterName = "test";
    private long seed = System.nanoTime();
    private ReplicaHandler replicas;

    public Builder nodes(int v) {
      nodes = v;
      return this;
    }

    public Builder racks(int v) {
      racks = v;
      return this;
    }

    public Builder replicationFactor(int v) {
      replicationFactor = v;
      return this;
    }

    public Builder interval(Duration v) {
      interval = v;
      return this;
    }

    public Builder clusterName(String v) {
      clusterName = v;
      return this;
    }

    /** Seeds peer choice and fault injection; pass the test's printed seed. */
    public Builder seed(long v) {
      seed = v;
      return this;
    }

    public Builder replicas(ReplicaHandler v) {
      replicas = v;
      return this;
    }

    /** A cluster with no node started yet. */
    public GossipTestCluster build() {
      return new GossipTestCluster(this);
    }

    public GossipTestCluster start() {
      var cluster = build();
      for (int i = 0; i < nodes; i++) {
        cluster.startNode("n" + i, NodeStatus.JOINING, List.of(), 0);
      }
      return cluster;
    }
  }
}
