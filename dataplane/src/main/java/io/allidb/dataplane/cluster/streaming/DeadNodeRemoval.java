package io.allidb.dataplane.cluster.streaming;

import io.allidb.dataplane.cluster.coordinator.ReplicaCalls;
import io.allidb.dataplane.cluster.gossip.GossipClusterView;
import io.allidb.dataplane.cluster.gossip.Gossiper;
import io.allidb.dataplane.cluster.proto.EndpointState;
import io.allidb.dataplane.cluster.proto.NodeStatus;
import io.allidb.dataplane.cluster.ring.TokenRing;
import io.grpc.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RemoveNode: takes a dead member out of the ring, from a surviving node (the one asked). The
 * survivor publishes the member LEAVING on its behalf ({@link Gossiper#publishOnBehalf}) with a
 * ring-change claim, waits the settle delay (so every coordinator also writes to the replicas each
 * key gains: pending ranges, as for a decommission), streams each range the member replicated from
 * every surviving replica of it to the replica that takes it over ({@link
 * DecommissionPlan#removalTransfers}), then publishes the member LEFT and every ring drops it.
 *
 * <p>Refused (FAILED_PRECONDITION, saying why) when the member is unknown, this node, up, not a
 * ring member, when this node is not NORMAL, another ring change is in flight, another member is
 * down, or the rest could not hold the replication factor. Asking again while it runs reports
 * progress; after a failure, or after this node restarted mid-way (the member is then LEAVING and
 * down), asking again resumes from the saved stream positions ({@code
 * <data>/ring/removenode-<host>.state}).
 *
 * <p>A removed member must not come back with its data: it would republish its old tokens under a
 * new generation. Wipe it; it joins again as a new node.
 */
final class DeadNodeRemoval {
  private static final Logger logger = LoggerFactory.getLogger(DeadNodeRemoval.class);

  private final Gossiper gossiper;
  private final GossipClusterView view;
  private final ReplicaCalls calls;
  private final Path dataDir;
  private final Duration settle;
  private final Clock clock;
  private final ExecutorService worker;
  private volatile boolean closed;

  // guarded by this: the removal started on this node (one at a time)
  private String removing;
  private StreamProgress.Phase phase = StreamProgress.Phase.NOT_STARTED;
  private String message = "";
  private RangeStreamer streamer;

  DeadNodeRemoval(
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
    this.settle = settle;
    this.clock = clock;
    this.worker =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "removenode-" + gossiper.localHostId());
              t.setDaemon(true);
              return t;
            });
  }

  synchronized StreamProgress remove(String hostId) {
    if (hostId.equals(removing)
        && (phase == StreamProgress.Phase.STREAMING || phase == StreamProgress.Phase.COMPLETED)) {
      return progress(); // idempotent
    }
    if (removing != null && phase == StreamProgress.Phase.STREAMING) {
      throw refused("this node is already removing " + removing);
    }
    String me = gossiper.localHostId();
    if (hostId.equals(me)) {
      throw refused(hostId + " is this node; a live node leaves with Decommission");
    }
    EndpointState target =
        gossiper
            .state(hostId)
            .orElseThrow(
                () ->
                    refused(
                        "unknown member "
                            + hostId
                            + "; members: "
                            + gossiper.states().keySet().stream().sorted().toList()));
    if (target.getStatus() == NodeStatus.LEFT) {
      removing = hostId;
      phase = StreamProgress.Phase.COMPLETED;
      message = hostId + " has left the ring";
      return progress();
    }
    if (view.isAlive(hostId)) {
      throw refused(
          hostId
              + " is up: only a dead member can be removed; decommission it, or stop it for good"
              + " and wait until the others see it down");
    }
    boolean resuming = target.getStatus() == NodeStatus.LEAVING;
    if (!resuming) {
      refuseUnlessAllowed(me, target);
    }
    removing = hostId;
    phase = StreamProgress.Phase.STREAMING;
    message = (resuming ? "resuming the removal of " : "announcing LEAVING for ") + hostId;
    streamer = null;
    worker.execute(() -> run(hostId, target, resuming));
    return progress();
  }

  private void refuseUnlessAllowed(String me, EndpointState target) {
    String hostId = target.getHostId();
    TokenRing ring = view.ring();
    if (target.getStatus() != NodeStatus.NORMAL || !ring.hostIds().contains(hostId)) {
      throw refused(hostId + " is " + target.getStatus() + ", not a NORMAL ring member");
    }
    if (gossiper.localState().getStatus() != NodeStatus.NORMAL) {
      throw refused("this node is " + gossiper.localState().getStatus() + ", not NORMAL");
    }
    Optional<EndpointState> rival = RingChangeClaims.rivals(gossiper, me).stream().findFirst();
    if (rival.isPresent()) {
      throw refused(
          "another ring change is in progress: " + RingChangeClaims.describe(rival.get()));
    }
    var down =
        ring.hostIds().stream()
            .filter(h -> !h.equals(hostId) && !view.isAlive(h))
            .sorted()
            .toList();
    if (!down.isEmpty()) {
      throw refused("every other member must be up to re-replicate; down: " + down);
    }
    int after = ring.members().size() - 1;
    if (after < view.replicationFactor()) {
      throw refused(
          "the ring would keep "
              + after
              + " members, fewer than the replication factor "
              + view.replicationFactor()
              + ": add a node first (or replace "
              + hostId
              + ")");
    }
  }

  private static RuntimeException refused(String why) {
    return Status.FAILED_PRECONDITION
        .withDescription("removenode refused: " + why)
        .asRuntimeException();
  }

  synchronized StreamProgress progress() {
    if (streamer == null) {
      return new StreamProgress(phase, 0, 0, 0, 0, message);
    }
    return streamer.progress(phase, message);
  }

  private void run(String hostId, EndpointState target, boolean resuming) {
    String me = gossiper.localHostId();
    try {
      long claim = target.getChangeStartedMicros();
      if (claim == 0) {
        claim = clock.millis() * 1000;
      }
      gossiper.publishOnBehalf(hostId, NodeStatus.LEAVING, claim);
      Thread.sleep(settle.toMillis());
      if (!resuming && !winsAgainstRivals(hostId, claim)) {
        return;
      }
      TokenRing ring = view.ring();
      Path stateFile = dataDir.resolve("ring").resolve("removenode-" + hostId + ".state");
      Files.createDirectories(stateFile.getParent());
      RangeStreamer s = new RangeStreamer(calls, stateFile, "removenode " + hostId, clock);
      synchronized (this) {
        streamer = s;
        message = "streaming " + hostId + "'s ranges from the surviving replicas";
      }
      s.plan(
          DecommissionPlan.removalTransfers(ring, hostId, view.replicationFactor(), view::isAlive),
          target.getTokensList());
      s.run(() -> closed);
      if (closed) {
        return;
      }
      gossiper.publishOnBehalf(hostId, NodeStatus.LEFT, 0);
      Files.deleteIfExists(stateFile);
      logger.info("{} removed {}: {}", me, hostId, s.progress(phase, ""));
      finish(StreamProgress.Phase.COMPLETED, hostId + " removed from the ring");
    } catch (IOException | RuntimeException e) {
      if (closed) {
        return;
      }
      logger.error(
          "{}: removal of {} failed; it stays LEAVING, ask again to resume", me, hostId, e);
      finish(
          StreamProgress.Phase.FAILED,
          e.getMessage() + " (" + hostId + " stays LEAVING; RemoveNode again resumes)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * After the settle delay: withdraws (the member back to NORMAL) when another claim is earlier.
   */
  private boolean winsAgainstRivals(String hostId, long claim) {
    for (EndpointState r : RingChangeClaims.rivals(gossiper, gossiper.localHostId())) {
      if (r.getHostId().equals(hostId)) {
        continue;
      }
      long theirs = r.getChangeStartedMicros();
      boolean earlier =
          theirs == 0 || theirs < claim || (theirs == claim && r.getHostId().compareTo(hostId) < 0);
      if (earlier) {
        gossiper.publishOnBehalf(hostId, NodeStatus.NORMAL, 0);
        finish(
            StreamProgress.Phase.FAILED,
            "removenode withdrawn: another ring change is in progress: "
                + RingChangeClaims.describe(r));
        return false;
      }
    }
    return true;
  }

  private synchronized void finish(StreamProgress.Phase p, String why) {
    phase = p;
    message = why;
  }

  void close() {
    closed = true;
    worker.shutdownNow();
    try {
      worker.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
