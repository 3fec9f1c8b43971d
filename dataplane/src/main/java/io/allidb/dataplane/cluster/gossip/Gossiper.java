package io.allidb.dataplane.cluster.gossip;

import static io.allidb.dataplane.cluster.gossip.EndpointStates.appChanged;
import static io.allidb.dataplane.cluster.gossip.EndpointStates.digest;
import static io.allidb.dataplane.cluster.gossip.EndpointStates.newer;
import static io.allidb.dataplane.cluster.gossip.EndpointStates.ownsTokens;

import io.allidb.dataplane.cluster.proto.EndpointDigest;
import io.allidb.dataplane.cluster.proto.EndpointState;
import io.allidb.dataplane.cluster.proto.GossipDigestAck;
import io.allidb.dataplane.cluster.proto.GossipDigestAck2;
import io.allidb.dataplane.cluster.proto.GossipDigestSyn;
import io.allidb.dataplane.cluster.proto.NodeStatus;
import io.allidb.dataplane.cluster.transport.GossipReceiver;
import io.allidb.dataplane.cluster.transport.PooledPeers;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gossip membership: spreads every node's {@link EndpointState} to every other node and decides,
 * with a {@link PhiAccrualFailureDetector}, which members are alive.
 *
 * <p>Every {@link GossipOptions#interval()} a round: bump this node's heartbeat; exchange with a
 * random live peer; with probability {@code down / (live + 1)} also with a random down member (so a
 * recovered node is noticed); with probability {@code seeds / (live + down)}, or always while no
 * peer is live, also with a random seed (so partitioned halves of the cluster find each other
 * again); then convict members whose phi exceeds the threshold. These are Cassandra's rules.
 *
 * <p>An exchange has three phases over the internode service: SYN (the initiator's digests: host,
 * generation, max version), ACK (the receiver's newer states and the digests it wants), ACK2 (the
 * states asked for). A SYN from another cluster name is refused with {@code FAILED_PRECONDITION}.
 *
 * <p>A member is alive once its heartbeat is seen to advance (a state learned second-hand proves
 * nothing about now), and dead when convicted; hearing a newer heartbeat from a dead member revives
 * it with a fresh detector history. A restart shows as a new generation.
 *
 * <p>Lifecycle: construct, {@link #addListener}, {@link #start}, then {@link #close}. Thread-safe:
 * state merges happen under this object's lock, listeners are called in order on one event thread.
 */
public final class Gossiper implements GossipReceiver, AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(Gossiper.class);

  private final GossipOptions options;
  private final PooledPeers peers;
  private final PhiAccrualFailureDetector detector;
  private final Map<String, EndpointState> states = new ConcurrentHashMap<>();
  private final Set<String> live = ConcurrentHashMap.newKeySet();
  private final Set<String> refusedBy = ConcurrentHashMap.newKeySet();
  private final List<MembershipListener> listeners = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService timer;
  private final ExecutorService events;
  private final Random random;
  private long version; // guarded by this: the one counter of heartbeat and app versions
  private long loadReadAt;
  private volatile boolean started;

  public Gossiper(GossipOptions options, PooledPeers peers) {
    this.options = options;
    this.peers = peers;
    this.detector =
        new PhiAccrualFailureDetector(
            options.interval(),
            options.acceptablePause(),
            options.minStdDeviation(),
            options.maxSamples());
    this.random = new Random(options.randomSeed());
    String host = options.hostId();
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "gossip-" + host));
    this.events = Executors.newSingleThreadExecutor(r -> daemon(r, "gossip-events-" + host));
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  public void addListener(MembershipListener listener) {
    listeners.add(listener);
  }

  /** Starts a new node: JOINING, without tokens. */
  public void start() {
    start(NodeStatus.JOINING, List.of(), 0);
  }

  /**
   * Publishes this node's first state and starts gossiping.
   *
   * @param status JOINING for a new node; a restarted node passes the status, tokens and ring epoch
   *     it had (it keeps them on disk: a new generation must neither lose the node's tokens nor
   *     claim a new ring change, since the ring did not change)
   * @param ringEpoch the epoch at which these tokens took effect; 0 for a new node
   */
  public synchronized void start(NodeStatus status, List<Long> tokens, long ringEpoch) {
    if (started) {
      throw new IllegalStateException("already started");
    }
    var local =
        EndpointState.newBuilder()
            .setHostId(options.hostId())
            .setGeneration(options.generation())
            .setInternodeAddress(options.internodeAddress())
            .setApiAddress(options.apiAddress())
            .setRack(options.rack())
            .setStatus(status)
            .addAllTokens(tokens)
            .setRingEpoch(ringEpoch)
            .setLoadBytes(options.loadBytes().getAsLong())
            .setAppVersion(++version)
            .setHeartbeatVersion(version)
            .build();
    states.put(options.hostId(), local);
    peers.addresses().put(options.hostId(), options.internodeAddress());
    started = true;
    fire(l -> l.onJoin(local));
    long ms = options.interval().toMillis();
    timer.scheduleWithFixedDelay(this::round, 0, ms, TimeUnit.MILLISECONDS);
    logger.info(
        "{} gossiping as {} (generation {}, {}) at {}",
        options.clusterName(),
        options.hostId(),
        options.generation(),
        status,
        options.internodeAddress());
  }

  /**
   * Publishes a new status and tokens. A change that alters the ring (tokens entering or leaving
   * it) carries {@code ring_epoch = highest epoch seen + 1}; see {@code docs/cluster.md}.
   */
  public synchronized void publish(NodeStatus status, List<Long> tokens) {
    publish(status, tokens, localState().getChangeStartedMicros());
  }

  /**
   * Publishes a new status and tokens with this node's ring-change claim ({@code
   * change_started_micros}; 0 withdraws it). See "One ring change at a time" in docs/cluster.md.
   */
  public synchronized void publish(NodeStatus status, List<Long> tokens, long changeStartedMicros) {
    EndpointState local = localState();
    boolean ringChange =
        ownsTokens(status) != ownsTokens(local.getStatus())
            || (ownsTokens(status) && !local.getTokensList().equals(tokens));
    var next =
        local.toBuilder()
            .setStatus(status)
            .clearTokens()
            .addAllTokens(tokens)
            .setRingEpoch(ringChange ? maxRingEpoch() + 1 : local.getRingEpoch())
            .setChangeStartedMicros(changeStartedMicros)
            .setAppVersion(++version)
            .build();
    replaceLocal(local, next);
  }

  /**
   * How far a state published on a dead member's behalf jumps its version: past any heartbeat
   * another node may have seen from it before it died (one per gossip interval), so every node
   * takes this state over the member's own last one.
   */
  static final long ON_BEHALF_VERSION_STEP = 1L << 20;

  /**
   * Publishes a status for a dead member on its behalf (RemoveNode): LEAVING while its ranges are
   * re-replicated, then LEFT. The member's generation and heartbeat stay as they were (so nobody
   * mistakes the new state for a sign of life); its application version jumps by {@link
   * #ON_BEHALF_VERSION_STEP}. A member that is in fact alive would publish under the lower versions
   * and be ignored until it restarts; callers check it is down first.
   *
   * @throws IllegalArgumentException for this node or an unknown member
   */
  public synchronized EndpointState publishOnBehalf(
      String hostId, NodeStatus status, long changeStartedMicros) {
    if (hostId.equals(options.hostId())) {
      throw new IllegalArgumentException("a node publishes its own state; " + hostId + " is me");
    }
    EndpointState old = states.get(hostId);
    if (old == null) {
      throw new IllegalArgumentException("unknown member " + hostId);
    }
    boolean ringChange = ownsTokens(status) != ownsTokens(old.getStatus());
    EndpointState next =
        old.toBuilder()
            .setStatus(status)
            .setChangeStartedMicros(changeStartedMicros)
            .setRingEpoch(ringChange ? maxRingEpoch() + 1 : old.getRingEpoch())
            .setAppVersion(EndpointStates.maxVersion(old) + ON_BEHALF_VERSION_STEP)
            .build();
    states.put(hostId, next);
    if (status == NodeStatus.LEFT) {
      live.remove(hostId);
      detector.remove(hostId);
    }
    logger.info("{} publishes {} on behalf of {}", options.hostId(), status, hostId);
    fire(l -> l.onChange(old, next));
    return next;
  }

  /** Highest ring epoch any known member published. */
  public long maxRingEpoch() {
    return states.values().stream().mapToLong(EndpointState::getRingEpoch).max().orElse(0);
  }

  private void replaceLocal(EndpointState previous, EndpointState next) {
    states.put(options.hostId(), next);
    fire(l -> l.onChange(previous, next));
  }

  /** This node's current state. */
  public EndpointState localState() {
    return states.get(options.hostId());
  }

  public String localHostId() {
    return options.hostId();
  }

  /** The gossip round interval; ring changes wait a few of them for a state to spread. */
  public Duration interval() {
    return options.interval();
  }

  /** A snapshot of every known member's state, this node's included. */
  public Map<String, EndpointState> states() {
    return Map.copyOf(states);
  }

  /** One member's state, without copying the others (the coordinator asks per request). */
  public Optional<EndpointState> state(String hostId) {
    return Optional.ofNullable(states.get(hostId));
  }

  /** Whether the member is considered alive; always true for this node. */
  public boolean isAlive(String hostId) {
    return hostId.equals(options.hostId()) || live.contains(hostId);
  }

  /** Remote members considered alive. */
  public Set<String> liveMembers() {
    return Set.copyOf(live);
  }

  // ---------------------------------------------------------------------------------------------
  // Rounds

  private void round() {
    try {
      synchronized (this) {
        EndpointState local = localState();
        var next = local.toBuilder().setHeartbeatVersion(++version);
        long now = System.nanoTime();
        if (now - loadReadAt >= options.loadInterval().toNanos()) {
          loadReadAt = now;
          long load = options.loadBytes().getAsLong();
          if (load != local.getLoadBytes()) {
            next.setLoadBytes(load).setAppVersion(version);
          }
        }
        EndpointState updated = next.build();
        states.put(options.hostId(), updated);
        if (appChanged(local, updated)) {
          fire(l -> l.onChange(local, updated));
        }
      }
      var liveAddresses = new ArrayList<String>();
      var downAddresses = new ArrayList<String>();
      for (EndpointState s : states.values()) {
        if (s.getHostId().equals(options.hostId()) || s.getStatus() == NodeStatus.LEFT) {
          continue;
        }
        (live.contains(s.getHostId()) ? liveAddresses : downAddresses).add(s.getInternodeAddress());
      }
      String chosen = null;
      if (!liveAddresses.isEmpty()) {
        chosen = pick(liveAddresses);
        exchange(chosen);
      }
      if (!downAddresses.isEmpty()
          && random.nextDouble() < downAddresses.size() / (liveAddresses.size() + 1.0)) {
        exchange(pick(downAddresses));
      }
      List<String> seeds = seeds();
      if (!seeds.isEmpty() && (chosen == null || !seeds.contains(chosen))) {
        double p = seeds.size() / (double) Math.max(1, liveAddresses.size() + downAddresses.size());
        if (liveAddresses.isEmpty() || random.nextDouble() < p) {
          exchange(pick(seeds));
        }
      }
      convict();
    } catch (RuntimeException e) {
      logger.error("gossip round failed", e);
    }
  }

  private List<String> seeds() {
    var out = new ArrayList<String>();
    for (String s : options.seeds().seeds()) {
      boolean self =
          s.equals(options.internodeAddress())
              || peers.addresses().hostIdAt(s).map(options.hostId()::equals).orElse(false);
      if (!self) {
        out.add(s);
      }
    }
    return out;
  }

  private synchronized String pick(List<String> from) {
    return from.get(random.nextInt(from.size()));
  }

  private void exchange(String address) {
    GossipDigestSyn syn;
    synchronized (this) {
      var b =
          GossipDigestSyn.newBuilder()
              .setClusterName(options.clusterName())
              .setFromHostId(options.hostId());
      states.values().forEach(s -> b.addDigests(digest(s)));
      syn = b.build();
    }
    peers
        .callAddress(address, "GossipSyn", stub -> stub.gossipSyn(syn))
        .whenComplete(
            (ack, error) -> {
              if (error != null) {
                Status status = Status.fromThrowable(error);
                if (status.getCode() == Status.Code.FAILED_PRECONDITION && refusedBy.add(address)) {
                  logger.warn("gossip to {} refused: {}", address, status.getDescription());
                } else {
                  logger.debug("gossip to {} failed: {}", address, status);
                }
                return;
              }
              onAck(address, ack);
            });
  }

  private void onAck(String address, GossipDigestAck ack) {
    merge(ack.getStatesList());
    var reply = GossipDigestAck2.newBuilder().setFromHostId(options.hostId());
    for (EndpointDigest wanted : ack.getRequestsList()) {
      EndpointState s = states.get(wanted.getHostId());
      if (s != null && newer(s, wanted)) {
        reply.addStates(s);
      }
    }
    if (reply.getStatesCount() > 0) {
      GossipDigestAck2 ack2 = reply.build();
      peers
          .callAddress(address, "GossipAck2", stub -> stub.gossipAck2(ack2))
          .whenComplete(
              (r, e) -> {
                if (e != null) {
                  logger.debug("gossip ACK2 to {} failed: {}", address, Status.fromThrowable(e));
                }
              });
    }
  }

  private void convict() {
    long now = System.nanoTime();
    for (String host : live) {
      double phi = detector.phi(host, now);
      if (phi > options.phiThreshold()) {
        live.remove(host);
        logger.info(
            "{} considers {} down (phi {})", options.hostId(), host, String.format("%.1f", phi));
        fire(l -> l.onDead(host));
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Receiving

  @Override
  public GossipDigestAck onSyn(GossipDigestSyn syn) {
    if (!syn.getClusterName().equals(options.clusterName())) {
      throw Status.FAILED_PRECONDITION
          .withDescription(
              "cluster name mismatch: this node is in '"
                  + options.clusterName()
                  + "', the caller in '"
                  + syn.getClusterName()
                  + "'")
          .asRuntimeException();
    }
    var ack = GossipDigestAck.newBuilder();
    if (!started || syn.getFromHostId().equals(options.hostId())) {
      return ack.build(); // a seed list naming this node itself, or a call before start
    }
    var mentioned = new HashSet<String>();
    synchronized (this) {
      for (EndpointDigest d : syn.getDigestsList()) {
        mentioned.add(d.getHostId());
        EndpointState s = states.get(d.getHostId());
        if (s == null || newer(d, s)) {
          // ask with what we have, so the initiator sends anything newer than that
          ack.addRequests(
              s == null ? EndpointDigest.newBuilder().setHostId(d.getHostId()).build() : digest(s));
        } else if (newer(s, d)) {
          ack.addStates(s);
        }
      }
      for (EndpointState s : states.values()) {
        if (!mentioned.contains(s.getHostId())) {
          ack.addStates(s); // the initiator has not heard of it at all
        }
      }
    }
    return ack.build();
  }

  @Override
  public void onAck2(GossipDigestAck2 ack2) {
    if (started) {
      merge(ack2.getStatesList());
    }
  }

  /** Takes every received state that is newer than ours; see the class comment on liveness. */
  private synchronized void merge(Collection<EndpointState> received) {
    long now = System.nanoTime();
    for (EndpointState s : received) {
      String host = s.getHostId();
      if (host.equals(options.hostId()) || host.isEmpty()) {
        continue; // only this node speaks for itself
      }
      EndpointState old = states.get(host);
      if (old != null && !newer(s, old)) {
        continue;
      }
      states.put(host, s);
      if (!s.getInternodeAddress().isEmpty()) {
        peers.addresses().put(host, s.getInternodeAddress());
      }
      if (old == null) {
        fire(l -> l.onJoin(s));
      } else if (s.getGeneration() != old.getGeneration()) {
        // the old process's intervals say nothing about the new one; a member still considered
        // alive keeps being watched from now on
        detector.remove(host);
        if (live.contains(host)) {
          detector.heartbeat(host, now);
        }
        fire(l -> l.onRestart(old, s));
      } else {
        if (appChanged(old, s)) {
          fire(l -> l.onChange(old, s));
        }
        if (s.getHeartbeatVersion() > old.getHeartbeatVersion()) {
          heartbeat(host, now);
        }
      }
      if (s.getStatus() == NodeStatus.LEFT) {
        live.remove(host);
        detector.remove(host);
      }
    }
  }

  private void heartbeat(String host, long now) {
    if (live.contains(host)) {
      detector.heartbeat(host, now);
      return;
    }
    detector.remove(host); // silence while convicted must not widen its intervals
    detector.heartbeat(host, now);
    live.add(host);
    logger.info("{} considers {} up", options.hostId(), host);
    fire(l -> l.onAlive(host));
  }

  private void fire(Consumer<MembershipListener> event) {
    events.execute(
        () -> {
          for (MembershipListener l : listeners) {
            try {
              event.accept(l);
            } catch (RuntimeException e) {
              logger.error("membership listener failed", e);
            }
          }
        });
  }

  /** Stops gossiping; peers convict this node after their detection time. */
  @Override
  public void close() {
    timer.shutdownNow();
    events.shutdown();
    try {
      if (!timer.awaitTermination(5, TimeUnit.SECONDS)
          || !events.awaitTermination(5, TimeUnit.SECONDS)) {
        logger.warn("gossip threads did not stop within 5 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** For tests: the member's phi now. */
  double phi(String hostId) {
    return detector.phi(hostId, System.nanoTime());
  }
}
