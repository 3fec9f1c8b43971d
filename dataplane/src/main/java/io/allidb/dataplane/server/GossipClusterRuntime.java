package io.allidb.dataplane.server;

import io.allidb.dataplane.cluster.ClusterView;
import io.allidb.dataplane.cluster.coordinator.ReplicaCalls;
import io.allidb.dataplane.cluster.gossip.DnsSeeds;
import io.allidb.dataplane.cluster.gossip.GossipClusterView;
import io.allidb.dataplane.cluster.gossip.GossipOptions;
import io.allidb.dataplane.cluster.gossip.Gossiper;
import io.allidb.dataplane.cluster.gossip.RingIdentity;
import io.allidb.dataplane.cluster.gossip.RingIdentityFormat;
import io.allidb.dataplane.cluster.gossip.SeedProvider;
import io.allidb.dataplane.cluster.proto.NodeStatus;
import io.allidb.dataplane.cluster.ring.TokenAllocator;
import io.allidb.dataplane.cluster.ring.TokenRing;
import io.allidb.dataplane.cluster.streaming.Bootstrap;
import io.allidb.dataplane.cluster.transport.InternodeServer;
import io.allidb.dataplane.cluster.transport.NetworkFaults;
import io.allidb.dataplane.cluster.transport.PeerAddresses;
import io.allidb.dataplane.cluster.transport.Peers;
import io.allidb.dataplane.cluster.transport.PooledPeers;
import io.allidb.dataplane.cluster.transport.ReplicaHandler;
import io.allidb.dataplane.security.InternodeTls;
import io.allidb.dataplane.security.PeerNames;
import io.allidb.dataplane.security.TlsFiles;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production {@link ClusterRuntime}: gossip membership ({@link Gossiper}, {@link
 * GossipClusterView}), pooled internode channels ({@link PooledPeers}) and the internode server
 * ({@link InternodeServer}) answering with the node's local replica.
 *
 * <p><b>Start order</b> ({@link #start}): the internode server binds first (peers that hear of this
 * node can reach it at once), then gossip starts. A node whose data directory holds a {@link
 * RingIdentity} republishes its saved status, tokens and epoch (a restart is not a ring change). A
 * new node starts JOINING; unless it is the initial node of a new cluster it waits (up to {@link
 * ClusterOptions#joinTimeout()}) until it has learned the ring from a seed, then takes balanced
 * tokens ({@link TokenAllocator}); the initial node takes evenly spaced ones. Tokens are saved
 * before they are published, so a node never owns tokens it could forget. {@link #close} stops
 * gossip first (peers see silence, as after a crash), then the server, then the channels.
 *
 * <p><b>Metrics</b> (the node's registry): {@code allidb_cluster_ring_epoch}, {@code
 * allidb_cluster_ring_members}, {@code allidb_cluster_ring_fingerprint} ({@link
 * TokenRing#fingerprint()}: equal on two nodes means the same placement) and {@code
 * allidb_cluster_live_peers}, besides the transport's {@code allidb_internode_*}.
 *
 * <p>Not thread-safe to start or close; the view and peers it hands out are.
 */
public final class GossipClusterRuntime implements ClusterRuntime {
  private static final Logger logger = LoggerFactory.getLogger(GossipClusterRuntime.class);

  private final NodeConfig config;
  private final ClusterOptions options;
  private final String hostId;
  private final Duration interval;
  private final PooledPeers peers;
  private final DnsSeeds dnsSeeds;
  private final Gossiper gossiper;
  private final GossipClusterView view;
  private final List<Collector> metrics = new ArrayList<>();
  private volatile LongSupplier loadBytes = () -> 0;
  private InternodeServer server;
  private final InternodeTls tls;

  private GossipClusterRuntime(NodeConfig config, NetworkFaults faults, Duration interval) {
    this.config = config;
    this.options = config.cluster();
    this.hostId = config.hostId();
    this.interval = interval;
    TlsFiles tlsFiles = config.security().internodeTls();
    if (tlsFiles == null && !options.plaintextInternode()) {
      // plaintext is never chosen by omission
      throw new IllegalArgumentException(
          "internode traffic needs mTLS (--internode-tls-dir) or, for development, the explicit"
              + " --internode-plaintext-for-development");
    }
    if (tlsFiles != null && options.plaintextInternode()) {
      throw new IllegalArgumentException(
          "--internode-tls-dir and --internode-plaintext-for-development exclude each other");
    }
    if (options.publishedAddress().isEmpty()) {
      throw new IllegalArgumentException(
          "a cluster node needs its published address (host:port peers reach its internode port"
              + " at); it is never guessed");
    }
    try {
      // member names are read per handshake, from the gossip view set below
      this.tls =
          tlsFiles == null
              ? null
              : InternodeTls.open(
                  tlsFiles,
                  config.security().tlsReloadInterval(),
                  this::memberNames,
                  config.security().internodePeerNames());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    var builder =
        PooledPeers.builder()
            .localHostId(hostId)
            .addresses(new PeerAddresses())
            .maxInboundMessageBytes(config.maxInboundMessageBytes())
            .metrics(config.storage().metrics());
    if (tls != null) {
      builder.credentials(tls.channelCredentials());
    } else {
      logger.warn(
          "{}: internode traffic (gossip, replication) is PLAINTEXT (development setting)", hostId);
      builder.plaintextForDevelopment();
    }
    if (faults != null) {
      builder.faults(faults);
    }
    this.peers = builder.build();
    SeedProvider seeds;
    if (!options.seedDnsName().isEmpty()) {
      dnsSeeds = DnsSeeds.of(options.seedDnsName(), publishedPort(options.publishedAddress()));
      seeds = dnsSeeds;
    } else {
      dnsSeeds = null;
      seeds = SeedProvider.of(options.seeds());
    }
    this.gossiper =
        new Gossiper(
            GossipOptions.builder()
                .clusterName(options.clusterName())
                .hostId(hostId)
                .internodeAddress(options.publishedAddress())
                .rack(options.rack())
                .interval(interval)
                .seeds(seeds)
                .loadBytes(() -> loadBytes.getAsLong())
                .build(),
            peers);
    this.view = new GossipClusterView(gossiper, options.replicationFactor()); // listens from now
  }

  /** Names of current members and seeds, for the handshake's member check. */
  private java.util.Collection<String> memberNames() {
    return PeerNames.of(view, seedNames(options)).get();
  }

  /** Seeds as {@code host:port} names for the internode identity rule (PeerNames). */
  private static List<String> seedNames(ClusterOptions o) {
    var out = new ArrayList<>(o.seeds());
    if (!o.seedDnsName().isEmpty()) {
      out.add(o.seedDnsName());
    }
    return out;
  }

  /** The factory {@code allidb server} uses in cluster mode. */
  public static ClusterRuntime.Factory factory() {
    return config -> new GossipClusterRuntime(config, null, GossipOptions.DEFAULT_INTERVAL);
  }

  /**
   * A factory whose nodes share {@code faults} (tests: partitions, drops, delays) and gossip every
   * {@code interval}.
   */
  public static ClusterRuntime.Factory factory(NetworkFaults faults, Duration interval) {
    return config -> new GossipClusterRuntime(config, faults, interval);
  }

  @Override
  public Optional<InternodeTls> internodeTls() {
    return Optional.ofNullable(tls);
  }

  @Override
  public ClusterView view() {
    return view;
  }

  @Override
  public Optional<Gossiper> gossiper() {
    return Optional.of(gossiper);
  }

  @Override
  public Peers peers() {
    return peers;
  }

  /** The gossip view (ring, liveness) of this node. */
  public GossipClusterView gossipView() {
    return view;
  }

  @Override
  public void start(ReplicaHandler replica, LongSupplier loadBytes) throws IOException {
    this.loadBytes = loadBytes;
    try {
      var serverBuilder =
          InternodeServer.builder()
              .bindAddress(options.internodeBindAddress())
              .port(options.internodePort());
      if (tls != null) {
        serverBuilder.credentials(tls.serverCredentials());
      } else {
        serverBuilder.plaintextForDevelopment();
      }
      server =
          serverBuilder
              .gossip(gossiper)
              .replicas(replica)
              .maxInboundMessageBytes(config.maxInboundMessageBytes())
              .build()
              .start();
      joinOrRejoin(replica);
      registerMetrics(config.storage().metrics());
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /** The internode port actually bound (useful with port 0). */
  public int internodePort() {
    return server.port();
  }

  private void joinOrRejoin(ReplicaHandler replica) throws IOException {
    Path dataDir = config.dataDir();
    Optional<RingIdentity> saved = RingIdentityFormat.load(dataDir);
    if (saved.isPresent()) {
      RingIdentity id = saved.get();
      if (!id.hostId().equals(hostId)) {
        throw new IOException(
            dataDir
                + " belongs to host id '"
                + id.hostId()
                + "', but this node is configured as '"
                + hostId
                + "': a node's host id never changes (its tokens and the hints for it are keyed"
                + " by it)");
      }
      gossiper.start(id.status(), id.tokens(), id.ringEpoch());
      logger.info(
          "{} rejoins with its saved identity: {} tokens, {}, ring epoch {}",
          hostId,
          id.tokens().size(),
          id.status(),
          id.ringEpoch());
      // Only this node's own tokens are on disk: until gossip brings the other members, its ring
      // holds one member and QUORUM would count this node alone (a write acknowledged by one
      // replica). So it serves only once it has heard of another member, or after the join
      // timeout (a one-node cluster, or a whole cluster restarting with its peers still down).
      if (awaitRing(ring -> ring.members().size() > 1) == null) {
        logger.warn(
            "{} heard of no other member within {}; serving with a ring of itself alone until"
                + " gossip brings the others (QUORUM counts only this node meanwhile)",
            hostId,
            options.joinTimeout());
      }
      if (id.status() == NodeStatus.JOINING
          && !id.tokens().isEmpty()
          && !bootstrap(replica, id.tokens())) { // restarted mid-bootstrap: resume the saved plan
        joinRingWithData(replica); // stepped back: another change came first
      }
      return;
    }
    gossiper.start(); // JOINING, no tokens
    boolean initial =
        options.initialNode() || (options.seeds().isEmpty() && options.seedDnsName().isEmpty());
    if (initial && (!options.seeds().isEmpty() || !options.seedDnsName().isEmpty())) {
      // an initial node that also has seeds (on Kubernetes every pod has the headless Service)
      // first listens for a ring: pod 0 restarted on an empty volume must join the existing ring,
      // not start a second one
      listenForRing(interval.multipliedBy(5));
    }
    TokenRing ring = initial ? TokenRing.empty() : awaitRingFromSeeds();
    if (initial && !view.ring().isEmpty()) {
      logger.warn(
          "{} was started as the initial node but already sees a ring of {} members; taking"
              + " tokens in it",
          hostId,
          view.ring().members().size());
      ring = view.ring();
    }
    if (!ring.isEmpty()) {
      joinRingWithData(replica);
      return;
    }
    List<Long> tokens =
        TokenAllocator.allocate(
            ring, hostId, options.rack(), options.vnodes(), options.replicationFactor());
    // saved before published: a crash in between restarts with these tokens, not new ones
    RingIdentityFormat.write(
        dataDir, new RingIdentity(hostId, NodeStatus.NORMAL, tokens, gossiper.maxRingEpoch() + 1));
    gossiper.publish(NodeStatus.NORMAL, tokens);
    long epoch = gossiper.localState().getRingEpoch();
    RingIdentityFormat.write(dataDir, new RingIdentity(hostId, NodeStatus.NORMAL, tokens, epoch));
    logger.info(
        "{} joined the ring{} with {} tokens at ring epoch {}",
        hostId,
        ring.isEmpty() ? " as its first member" : " of " + ring.members().size() + " members",
        tokens.size(),
        epoch);
  }

  /**
   * A ring with data: take tokens only once no other change is in flight, then bootstrap. Two nodes
   * that start at once can both get past the wait and take the same tokens; the later claimant
   * steps back after its settle delay ({@link Bootstrap#run}) and tries again with new tokens.
   */
  private void joinRingWithData(ReplicaHandler replica) throws IOException {
    while (true) {
      try {
        Bootstrap.awaitNoOtherChange(gossiper, view, options.joinTimeout());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting to join");
      }
      List<Long> tokens =
          TokenAllocator.allocate(
              view.ring(), hostId, options.rack(), options.vnodes(), options.replicationFactor());
      if (bootstrap(replica, tokens)) {
        return;
      }
    }
  }

  /**
   * JOINING, stream this node's ranges from current replicas, NORMAL ({@link Bootstrap}); false
   * when it stepped back for an earlier change.
   */
  private boolean bootstrap(ReplicaHandler replica, List<Long> tokens) throws IOException {
    try {
      return Bootstrap.run(
          gossiper,
          view,
          new ReplicaCalls(hostId, replica, peers),
          config.dataDir(),
          tokens,
          interval.multipliedBy(10),
          config.storage().clock());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException(hostId + ": interrupted while bootstrapping");
    }
  }

  /** Waits up to {@code atMost} for gossip to bring any ring. */
  private void listenForRing(Duration atMost) throws IOException {
    long deadline = System.nanoTime() + atMost.toNanos();
    try {
      while (view.ring().isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(Math.max(10, interval.toMillis() / 10));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while listening for an existing ring");
    }
  }

  /**
   * Waits until gossip has brought this node a non-empty ring that then stayed unchanged for two
   * gossip intervals (a seed's ACK carries every state it knows, but the view applies them one
   * event at a time).
   */
  private TokenRing awaitRingFromSeeds() throws IOException {
    TokenRing ring = awaitRing(r -> !r.isEmpty());
    if (ring != null) {
      return ring;
    }
    throw new IOException(
        "could not learn the ring from the seeds "
            + (options.seedDnsName().isEmpty() ? options.seeds() : options.seedDnsName())
            + " within "
            + options.joinTimeout()
            + ": check that they run, are reachable at those addresses and use cluster name '"
            + options.clusterName()
            + "'. To start a new cluster, start its first node with --initial-node");
  }

  /**
   * The ring once it satisfies {@code wanted} and then stayed unchanged for two gossip intervals,
   * or null after the join timeout.
   */
  private TokenRing awaitRing(Predicate<TokenRing> wanted) throws IOException {
    long deadline = System.nanoTime() + options.joinTimeout().toNanos();
    TokenRing last = null;
    long stableSince = 0;
    try {
      while (System.nanoTime() < deadline) {
        TokenRing ring = view.ring();
        long now = System.nanoTime();
        if (!ring.equals(last)) {
          last = ring;
          stableSince = now;
        } else if (wanted.test(ring) && now - stableSince >= 2 * interval.toNanos()) {
          return ring;
        }
        Thread.sleep(Math.max(10, interval.toMillis() / 10));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while learning the ring through gossip");
    }
    return null;
  }

  private void registerMetrics(PrometheusRegistry registry) {
    metrics.add(
        GaugeWithCallback.builder()
            .name("allidb_cluster_ring_epoch")
            .help("Epoch of the ring as this node sees it")
            .callback(cb -> cb.call(view.ring().epoch()))
            .register(registry));
    metrics.add(
        GaugeWithCallback.builder()
            .name("allidb_cluster_ring_members")
            .help("Members owning tokens in the ring as this node sees it")
            .callback(cb -> cb.call(view.ring().members().size()))
            .register(registry));
    metrics.add(
        GaugeWithCallback.builder()
            .name("allidb_cluster_ring_fingerprint")
            .help("CRC32C of the ring's tokens, owners and racks; equal on nodes that agree")
            .callback(cb -> cb.call(view.ring().fingerprint()))
            .register(registry));
    metrics.add(
        GaugeWithCallback.builder()
            .name("allidb_cluster_live_peers")
            .help("Other members the failure detector considers alive")
            .callback(cb -> cb.call(gossiper.liveMembers().size()))
            .register(registry));
  }

  private static int publishedPort(String address) {
    return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
  }

  /** Stops gossip (peers see silence), then the internode server, then the channels. */
  @Override
  public void close() {
    metrics.forEach(config.storage().metrics()::unregister);
    metrics.clear();
    gossiper.close();
    if (dnsSeeds != null) {
      dnsSeeds.close();
    }
    if (server != null) {
      server.close();
    }
    peers.close();
    if (tls != null) {
      tls.close();
    }
  }
}
