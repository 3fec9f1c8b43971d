package io.allidb.dataplane.cluster.gossip;

import io.allidb.dataplane.cluster.ClusterView;
import io.allidb.dataplane.cluster.proto.EndpointState;
import io.allidb.dataplane.cluster.proto.NodeStatus;
import io.allidb.dataplane.cluster.ring.TokenAllocator;
import io.allidb.dataplane.cluster.ring.TokenRing;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ClusterView} of a gossiping node: the ring is rebuilt from the members' endpoint
 * states whenever one changes, and published as an immutable snapshot.
 *
 * <p><b>Ring</b>: members whose status owns tokens (NORMAL, LEAVING) with their published tokens
 * and racks; a down member stays in the ring (down is not gone: its writes become hints). Should
 * two members claim one token (two nodes that allocated from the same ring at once), the member
 * with the lower (ring epoch, host id) keeps it and the other's copy is ignored, so every node
 * resolves the clash the same way.
 *
 * <p><b>Epoch</b>: the highest {@code ring_epoch} over all known members (LEFT ones included, so
 * removing a member also advances it). Each ring change is published with the highest epoch its
 * author had seen plus one, so once gossip has converged, nodes that see the same epoch see the
 * same ring. Before convergence, two concurrent changes can carry the same epoch, and a node can
 * hear of a change at epoch E before an earlier one; the one-change-at-a-time lease (issue 6)
 * removes the first case, and waiting for convergence between changes the second.
 *
 * <p>Thread-safe.
 */
public final class GossipClusterView implements ClusterView, MembershipListener {
  private static final Logger logger = LoggerFactory.getLogger(GossipClusterView.class);

  private final Gossiper gossiper;
  private final int replicationFactor;
  private final List<Consumer<TokenRing>> ringListeners = new CopyOnWriteArrayList<>();
  private volatile TokenRing ring = TokenRing.empty();
  // the ring once the change in flight completes; null when none is (the common case costs nothing)
  private volatile TokenRing future;

  /** Registers itself with the gossiper; construct it before {@link Gossiper#start}. */
  public GossipClusterView(Gossiper gossiper, int replicationFactor) {
    if (replicationFactor < 1) {
      throw new IllegalArgumentException(
          "replicationFactor must be >= 1; got " + replicationFactor);
    }
    this.gossiper = gossiper;
    this.replicationFactor = replicationFactor;
    gossiper.addListener(this);
    rebuild();
  }

  /** Called with each new ring (on the gossip event thread; keep it short). */
  public void addRingListener(Consumer<TokenRing> listener) {
    ringListeners.add(listener);
  }

  /**
   * Takes tokens for this node and publishes it NORMAL: balanced tokens from {@link TokenAllocator}
   * over the ring as this node sees it now, or evenly spaced ones in an empty ring. Join one node
   * at a time, each after the previous one's tokens have spread. The node owns its ranges at once,
   * with no data: only for the gossip-only test fixture; a real node joins through {@code
   * streaming.Bootstrap} (JOINING, stream, NORMAL).
   */
  public List<Long> joinRing(int vnodes) {
    EndpointState local = gossiper.localState();
    List<Long> tokens =
        TokenAllocator.allocate(
            ring, local.getHostId(), local.getRack(), vnodes, replicationFactor);
    gossiper.publish(NodeStatus.NORMAL, tokens);
    return tokens;
  }

  @Override
  public String localHostId() {
    return gossiper.localHostId();
  }

  @Override
  public TokenRing ring() {
    return ring;
  }

  @Override
  public int replicationFactor() {
    return replicationFactor;
  }

  @Override
  public boolean isAlive(String hostId) {
    return gossiper.isAlive(hostId);
  }

  @Override
  public Optional<String> internodeAddress(String hostId) {
    return gossiper.state(hostId).map(EndpointState::getInternodeAddress).filter(a -> !a.isEmpty());
  }

  /** The ring after the change in flight (JOINING members in, LEAVING ones out), if one is. */
  public Optional<TokenRing> futureRing() {
    return Optional.ofNullable(future);
  }

  @Override
  public List<String> pendingReplicasFor(long token) {
    TokenRing f = future;
    if (f == null) {
      return List.of();
    }
    var natural = ring.replicasFor(token, replicationFactor);
    var pending = new ArrayList<String>();
    for (String host : f.replicasFor(token, replicationFactor)) {
      if (!natural.contains(host)) {
        pending.add(host);
      }
    }
    return pending;
  }

  @Override
  public void onJoin(EndpointState state) {
    rebuild();
  }

  @Override
  public void onChange(EndpointState previous, EndpointState current) {
    rebuild();
  }

  @Override
  public void onRestart(EndpointState previous, EndpointState current) {
    rebuild();
  }

  private synchronized void rebuild() {
    Collection<EndpointState> states = gossiper.states().values();
    TokenRing next = buildRing(states);
    boolean changing =
        states.stream()
            .anyMatch(
                s ->
                    s.getTokensCount() > 0
                        && (s.getStatus() == NodeStatus.LEAVING
                            || s.getStatus() == NodeStatus.JOINING));
    future = changing ? buildFutureRing(states) : null;
    if (!next.equals(ring)) {
      ring = next;
      logger.debug("{}: ring now {}", gossiper.localHostId(), next);
      ringListeners.forEach(l -> l.accept(next));
    }
  }

  /** The ring the given endpoint states describe; see the class comment. */
  public static TokenRing buildRing(Collection<EndpointState> states) {
    return buildRing(states, s -> EndpointStates.ownsTokens(s.getStatus()));
  }

  /**
   * The ring once every change in flight completes: NORMAL members and JOINING ones that published
   * their tokens; LEAVING members are gone from it.
   */
  public static TokenRing buildFutureRing(Collection<EndpointState> states) {
    return buildRing(
        states, s -> s.getStatus() == NodeStatus.NORMAL || s.getStatus() == NodeStatus.JOINING);
  }

  private static TokenRing buildRing(
      Collection<EndpointState> states, Predicate<EndpointState> owner) {
    long epoch = states.stream().mapToLong(EndpointState::getRingEpoch).max().orElse(0);
    var owners =
        states.stream()
            .filter(s -> owner.test(s) && s.getTokensCount() > 0)
            .sorted(
                Comparator.comparingLong(EndpointState::getRingEpoch)
                    .thenComparing(EndpointState::getHostId))
            .toList();
    var claimedBy = new HashMap<Long, String>();
    var members = new ArrayList<TokenRing.Member>();
    for (EndpointState s : owners) {
      var tokens = new ArrayList<Long>();
      for (long t : s.getTokensList()) {
        String earlier = claimedBy.putIfAbsent(t, s.getHostId());
        if (earlier == null || earlier.equals(s.getHostId())) {
          tokens.add(t);
        } else {
          logger.warn("token {} of {} is already {}'s; ignored", t, s.getHostId(), earlier);
        }
      }
      if (!tokens.isEmpty()) {
        members.add(new TokenRing.Member(s.getHostId(), s.getRack(), tokens));
      }
    }
    return TokenRing.of(epoch, members);
  }
}
