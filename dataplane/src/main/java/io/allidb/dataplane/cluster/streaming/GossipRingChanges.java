package io.allidb.dataplane.cluster.streaming;

import io.allidb.dataplane.cluster.coordinator.ReplicaCalls;
import io.allidb.dataplane.cluster.gossip.GossipClusterView;
import io.allidb.dataplane.cluster.gossip.Gossiper;
import io.allidb.dataplane.cluster.gossip.RingIdentity;
import io.allidb.dataplane.cluster.gossip.RingIdentityFormat;
import io.allidb.dataplane.cluster.proto.EndpointState;
import io.allidb.dataplane.cluster.proto.NodeStatus;
import io.allidb.dataplane.cluster.ring.TokenRing;
import io.grpc.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decommission of a gossiping node: LEAVING, stream every range it replicates to the replicas the
 * ring without it adds, LEFT. Runs on its own thread; the admin API polls {@link
 * #decommissionStatus}.
 *
 * <p><b>One ring change at a time.</b> Refused unless every member is up and none is JOINING or
 * LEAVING; then the node publishes LEAVING with its claim ({@code change_started_micros}) and waits
 * a settle delay. If meanwhile another member claimed a change earlier (ties: lower host id, and a
 * claim without a time counts as earlier), this node withdraws to NORMAL and fails with the rival's
 * name. Gossip is not consensus: a partition longer than the settle delay can still let two claims
 * proceed (docs/cluster.md).
 *
 * <p><b>Writes during the change.</b> Once LEAVING has spread, coordinators write each key also to
 * the replica it gains ({@link GossipClusterView#pendingReplicasFor}); the settle delay is what
 * lets that spread before streaming starts, so no write lands only behind the stream's position.
 *
 * <p><b>Restart.</b> The status is saved in the ring identity before it is published, and stream
 * positions in {@code <data>/ring/decommission.state}; a node restarted while LEAVING resumes (the
 * plan it saved, from where each range stopped). A failed stream leaves the node LEAVING: asking
 * again resumes it.
 */
public final class GossipRingChanges implements RingChanges {
  private static final Logger logger = LoggerFactory.getLogger(GossipRingChanges.class);

  private final Gossiper gossiper;
  private final GossipClusterView view;
  private final ReplicaCalls calls;
  private final Path dataDir;
  private final Path stateFile;
  private final Duration settle;
  private final Clock clock;
  private final ExecutorService worker;
  private final DeadNodeRemoval removal;
  private volatile boolean closed;

  // guarded by this
  private StreamProgress.Phase phase = StreamProgress.Phase.NOT_STARTED;
  private String message = "";
  private RangeStreamer streamer;

  /**
   * @param settle how long a published LEAVING is given to reach every node before streaming (and
   *     before rival claims are compared): several gossip rounds
   */
  public GossipRingChanges(
      Gossiper gossiper,
      GossipClusterView view,
      ReplicaCalls calls,
      Path dataDir,
      Duration settle,
      Clock clock) {
    this.gossiper = gossiper;
    this.view = view;
    this.calls = calls;
    this.dataDir = dataDir;
    this.stateFile = dataDir.resolve("ring").resolve("decommission.state");
    this.settle = settle;
    this.clock = clock;
    this.removal = new DeadNodeRemoval(gossiper, view, calls, dataDir, settle, clock);
    this.worker =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "decommission-" + gossiper.localHostId());
              t.setDaemon(true);
              return t;
            });
  }

  /** Resumes a decommission a restart interrupted (the saved status is LEAVING). */
  public void resumeIfLeaving() {
    if (gossiper.localState().getStatus() == NodeStatus.LEAVING) {
      logger.info("{} restarted while LEAVING: resuming its decommission", gossiper.localHostId());
      decommission();
    }
  }

  @Override
  public synchronized StreamProgress decommission() {
    if (phase == StreamProgress.Phase.STREAMING || phase == StreamProgress.Phase.COMPLETED) {
      return decommissionStatus(); // idempotent
    }
    EndpointState local = gossiper.localState();
    if (local.getStatus() == NodeStatus.LEFT) {
      phase = StreamProgress.Phase.COMPLETED;
      message = "this node has left the ring";
      return decommissionStatus();
    }
    boolean resuming = local.getStatus() == NodeStatus.LEAVING;
    if (!resuming) {
      refuseUnlessAllowed(local);
    }
    phase = StreamProgress.Phase.STREAMING;
    message = resuming ? "resuming" : "announcing LEAVING";
    worker.execute(() -> run(resuming));
    return decommissionStatus();
  }

  @Override
  public synchronized StreamProgress decommissionStatus() {
    if (streamer == null) {
      return new StreamProgress(phase, 0, 0, 0, 0, message);
    }
    return streamer.progress(phase, message);
  }

  /** See {@link DeadNodeRemoval}. */
  @Override
  public StreamProgress removeNode(String hostId) {
    return removal.remove(hostId);
  }

  @Override
  public String changeInProgress() {
    return rivals(gossiper.localHostId()).stream().findFirst().map(this::describe).orElse("");
  }

  /** Stops the worker; a decommission in progress resumes on the next start. */
  @Override
  public void close() {
    closed = true;
    removal.close();
    worker.shutdownNow();
    try {
      worker.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void refuseUnlessAllowed(EndpointState local) {
    String me = local.getHostId();
    TokenRing ring = view.ring();
    if (local.getStatus() != NodeStatus.NORMAL || !ring.hostIds().contains(me)) {
      throw refused(me + " is " + local.getStatus() + ", not a NORMAL ring member");
    }
    int after = ring.members().size() - 1;
    if (after < view.replicationFactor()) {
      throw refused(
          "the ring would keep "
              + after
              + " members, fewer than the replication factor "
              + view.replicationFactor()
              + ": add a node first");
    }
    Optional<EndpointState> rival = rivals(me).stream().findFirst();
    if (rival.isPresent()) {
      throw refused("another ring change is in progress: " + describe(rival.get()));
    }
    var down = ring.hostIds().stream().filter(h -> !view.isAlive(h)).sorted().toList();
    if (!down.isEmpty()) {
      throw refused("every member must be up for a ring change; down: " + down);
    }
  }

  private static RuntimeException refused(String why) {
    return Status.FAILED_PRECONDITION
        .withDescription("decommission refused: " + why)
        .asRuntimeException();
  }

  private List<EndpointState> rivals(String me) {
    return RingChangeClaims.rivals(gossiper, me);
  }

  private String describe(EndpointState s) {
    return RingChangeClaims.describe(s);
  }

  private void run(boolean resuming) {
    String me = gossiper.localHostId();
    try {
      List<Long> tokens = gossiper.localState().getTokensList();
      long claim = gossiper.localState().getChangeStartedMicros();
      if (claim == 0) {
        claim = clock.millis() * 1000;
      }
      RingIdentityFormat.write(
          dataDir,
          new RingIdentity(me, NodeStatus.LEAVING, tokens, gossiper.localState().getRingEpoch()));
      gossiper.publish(NodeStatus.LEAVING, tokens, claim);
      sleep(settle);
      if (!resuming && !winsAgainstRivals(me, claim, tokens)) {
        return;
      }
      TokenRing ring = view.ring();
      Files.createDirectories(stateFile.getParent());
      RangeStreamer s = new RangeStreamer(calls, stateFile, "decommission " + me, clock);
      synchronized (this) {
        streamer = s;
        message = "streaming";
      }
      s.plan(DecommissionPlan.transfers(ring, me, view.replicationFactor(), view::isAlive), tokens);
      s.run(() -> closed);
      if (closed) {
        return;
      }
      RingIdentityFormat.write(
          dataDir, new RingIdentity(me, NodeStatus.LEFT, tokens, gossiper.maxRingEpoch() + 1));
      gossiper.publish(NodeStatus.LEFT, tokens, 0);
      RingIdentityFormat.write(
          dataDir,
          new RingIdentity(me, NodeStatus.LEFT, tokens, gossiper.localState().getRingEpoch()));
      logger.info("{} streamed {} and left the ring", me, s.progress(phase, ""));
      finish(StreamProgress.Phase.COMPLETED, "left the ring; it may be shut down");
    } catch (IOException | RuntimeException e) {
      if (closed) {
        return;
      }
      logger.error("{}: decommission failed; it stays LEAVING, ask again to resume", me, e);
      finish(
          StreamProgress.Phase.FAILED,
          e.getMessage() + " (the node stays LEAVING; Decommission again resumes)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // closing: a restart resumes
    }
  }

  /** After the settle delay: withdraws (back to NORMAL) when another claim is earlier. */
  private boolean winsAgainstRivals(String me, long claim, List<Long> tokens) throws IOException {
    for (EndpointState r : rivals(me)) {
      long theirs = r.getChangeStartedMicros();
      boolean earlier =
          theirs == 0 || theirs < claim || (theirs == claim && r.getHostId().compareTo(me) < 0);
      if (earlier) {
        gossiper.publish(NodeStatus.NORMAL, tokens, 0);
        RingIdentityFormat.write(
            dataDir,
            new RingIdentity(me, NodeStatus.NORMAL, tokens, gossiper.localState().getRingEpoch()));
        finish(
            StreamProgress.Phase.FAILED,
            "decommission withdrawn: another ring change is in progress: " + describe(r));
        return false;
      }
    }
    return true;
  }

  private synchronized void finish(StreamProgress.Phase p, String why) {
    phase = p;
    message = why;
  }

  private static void sleep(Duration d) throws InterruptedException {
    Thread.sleep(d.toMillis());
  }
}
