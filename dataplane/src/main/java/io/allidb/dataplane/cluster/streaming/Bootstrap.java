package io.allidb.dataplane.cluster.streaming;

import io.allidb.dataplane.cluster.coordinator.ReplicaCalls;
import io.allidb.dataplane.cluster.gossip.GossipClusterView;
import io.allidb.dataplane.cluster.gossip.Gossiper;
import io.allidb.dataplane.cluster.gossip.RingIdentity;
import io.allidb.dataplane.cluster.gossip.RingIdentityFormat;
import io.allidb.dataplane.cluster.proto.EndpointState;
import io.allidb.dataplane.cluster.proto.NodeStatus;
import io.allidb.dataplane.cluster.ring.TokenRange;
import io.allidb.dataplane.cluster.ring.TokenRing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A new node's way into a ring that already holds data: JOINING with its tokens (and a ring-change
 * claim), a settle delay so every coordinator starts writing it the keys it gains (pending ranges),
 * each range it will replicate streamed from a current replica, then NORMAL. Until NORMAL no read
 * is routed to it, so it never answers with data it has not received yet.
 *
 * <p>The status is saved in the ring identity before it is published and stream positions in {@code
 * <data>/ring/bootstrap.state}, so a node restarted while JOINING resumes with the same tokens and
 * plan.
 */
public final class Bootstrap {
  private static final Logger logger = LoggerFactory.getLogger(Bootstrap.class);

  private Bootstrap() {}

  /**
   * One transfer per range of the ring with {@code joining} that it replicates. The source is the
   * current replica that loses the range when it is alive (it holds exactly what the joining node
   * takes over), else any live current replica.
   */
  public static List<RangeStreamer.Transfer> transfers(
      TokenRing current, TokenRing future, String joining, int rf, Predicate<String> alive) {
    var out = new ArrayList<RangeStreamer.Transfer>();
    for (TokenRange r : future.ranges()) {
      List<String> next = future.replicasFor(r.end(), rf);
      if (!next.contains(joining)) {
        continue;
      }
      List<String> now = current.replicasFor(r.end(), rf);
      String source = null;
      for (String h : now) {
        if (alive.test(h) && (source == null || !next.contains(h))) {
          source = h; // the first live replica, replaced by one that loses the range
          if (!next.contains(h)) {
            break;
          }
        }
      }
      if (source == null) {
        throw new IllegalStateException(
            "no live replica holds " + r + " (replicas " + now + "): cannot bootstrap");
      }
      out.add(new RangeStreamer.Transfer(r, source, joining));
    }
    return out;
  }

  /**
   * Waits (up to {@code timeout}) until no other change is in flight and every member is up.
   *
   * @throws IOException naming the change in the way when it did not end in time
   */
  public static void awaitNoOtherChange(Gossiper gossiper, GossipClusterView view, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String me = gossiper.localHostId();
      Optional<EndpointState> rival = RingChangeClaims.rivals(gossiper, me).stream().findFirst();
      var down = view.ring().hostIds().stream().filter(h -> !view.isAlive(h)).sorted().toList();
      if (rival.isEmpty() && down.isEmpty()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IOException(
            me
                + " cannot join: "
                + rival
                    .map(r -> "another ring change is in progress: " + RingChangeClaims.describe(r))
                    .orElse("every member must be up for a ring change; down: " + down)
                + " (waited "
                + timeout
                + ")");
      }
      Thread.sleep(gossiper.interval().toMillis());
    }
  }

  /**
   * JOINING with {@code tokens}, settle, stream, NORMAL; resumes a saved plan.
   *
   * <p>After the settle delay the claims are compared ({@link RingChangeClaims#joinConflict}): a
   * node that lost to an earlier claim, or whose tokens another member already owns, steps back
   * before streaming anything: it forgets its tokens (ring identity deleted, JOINING without tokens
   * published) and returns false, and the caller waits for the other change and takes new tokens.
   *
   * @return true once NORMAL, false when this node stepped back
   */
  public static boolean run(
      Gossiper gossiper,
      GossipClusterView view,
      ReplicaCalls calls,
      Path dataDir,
      List<Long> tokens,
      Duration settle,
      Clock clock)
      throws IOException, InterruptedException {
    String me = gossiper.localHostId();
    long claim = gossiper.localState().getChangeStartedMicros();
    if (claim == 0) {
      claim = clock.millis() * 1000;
    }
    RingIdentityFormat.write(
        dataDir, new RingIdentity(me, NodeStatus.JOINING, tokens, gossiper.maxRingEpoch()));
    gossiper.publish(NodeStatus.JOINING, tokens, claim);
    Thread.sleep(settle.toMillis());
    Optional<String> conflict =
        RingChangeClaims.joinConflict(gossiper.states().values(), me, claim, tokens);
    if (conflict.isPresent()) {
      // identity first: a crash in between restarts as a new node, never with these tokens
      Files.deleteIfExists(dataDir.resolve(RingIdentityFormat.FILE_NAME));
      gossiper.publish(NodeStatus.JOINING, List.of(), 0);
      logger.warn(
          "{} steps back from joining: {}; it takes new tokens once that change is done",
          me,
          conflict.get());
      return false;
    }
    awaitLaterClaimantsWithdrawn(gossiper, me, tokens, settle);
    TokenRing current = view.ring();
    TokenRing future =
        view.futureRing().orElseThrow(() -> new IOException(me + " is JOINING but not pending"));
    Path stateFile = dataDir.resolve("ring").resolve("bootstrap.state");
    Files.createDirectories(stateFile.getParent());
    var streamer = new RangeStreamer(calls, stateFile, "bootstrap " + me, clock);
    streamer.plan(transfers(current, future, me, view.replicationFactor(), view::isAlive), tokens);
    streamer.run(() -> Thread.currentThread().isInterrupted());
    var done = streamer.progress(StreamProgress.Phase.COMPLETED, "");
    RingIdentityFormat.write(
        dataDir, new RingIdentity(me, NodeStatus.NORMAL, tokens, gossiper.maxRingEpoch() + 1));
    gossiper.publish(NodeStatus.NORMAL, tokens, 0);
    RingIdentityFormat.write(
        dataDir,
        new RingIdentity(me, NodeStatus.NORMAL, tokens, gossiper.localState().getRingEpoch()));
    logger.info(
        "{} bootstrapped: {} ranges, {} rows, {} bytes streamed",
        me,
        done.rangesTotal(),
        done.rowsStreamed(),
        done.bytesStreamed());
    return true;
  }

  /**
   * Waits until no other JOINING member publishes one of {@code tokens}: a later claimant with the
   * same tokens steps back at the end of its own settle delay, and until it has, the ring after the
   * change (which plans this node's streams) may give the shared tokens to it.
   */
  private static void awaitLaterClaimantsWithdrawn(
      Gossiper gossiper, String me, List<Long> tokens, Duration settle)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + settle.multipliedBy(3).toNanos();
    while (true) {
      var sharing =
          gossiper.states().values().stream()
              .filter(s -> !s.getHostId().equals(me) && s.getStatus() == NodeStatus.JOINING)
              .filter(s -> s.getTokensList().stream().anyMatch(tokens::contains))
              .map(EndpointState::getHostId)
              .sorted()
              .toList();
      if (sharing.isEmpty()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IOException(
            me
                + " is JOINING with tokens "
                + sharing
                + " also published and did not step back; it stays JOINING, a restart resumes");
      }
      Thread.sleep(gossiper.interval().toMillis());
    }
  }
}
