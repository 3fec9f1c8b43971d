package io.allidb.dataplane.cluster.streaming;

import io.allidb.dataplane.cluster.ring.TokenRange;
import io.allidb.dataplane.cluster.ring.TokenRing;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Which rows move when a member leaves the ring (decommissioned, or removed when dead): pure, so it
 * is tested without nodes.
 */
public final class DecommissionPlan {
  private DecommissionPlan() {}

  /** {@code ring} without {@code leaving}: the ring once it is LEFT. */
  public static TokenRing without(TokenRing ring, String leaving) {
    var members =
        ring.members().values().stream().filter(m -> !m.hostId().equals(leaving)).toList();
    return TokenRing.of(ring.epoch() + 1, members);
  }

  /**
   * One transfer per (vnode range, replica it gains): every replica the ring without {@code
   * leaving} gives a range that the current ring does not. The future ring's tokens are a subset of
   * the current ones, so each current vnode range lies inside one future range and has one future
   * replica set. The source is the leaving node when it holds the range (it has every write up to
   * LEAVING); otherwise (a range whose placement shifts only because a rack emptied) a live current
   * replica.
   */
  public static List<RangeStreamer.Transfer> transfers(
      TokenRing ring, String leaving, int rf, Predicate<String> alive) {
    TokenRing future = without(ring, leaving);
    var out = new ArrayList<RangeStreamer.Transfer>();
    for (TokenRange r : ring.ranges()) {
      List<String> now = ring.replicasFor(r.end(), rf);
      String source = now.contains(leaving) ? leaving : null;
      for (String h : now) {
        if (source == null && alive.test(h)) {
          source = h;
        }
      }
      for (String target : future.replicasFor(r.end(), rf)) {
        if (!now.contains(target)) {
          if (source == null) {
            throw new IllegalStateException(
                "no live replica holds " + r + " (replicas " + now + ")");
          }
          out.add(new RangeStreamer.Transfer(r, source, target));
        }
      }
    }
    return out;
  }

  /**
   * The transfers that re-replicate a dead member's ranges (RemoveNode): for every (vnode range,
   * replica it gains in the ring without {@code dead}), one transfer from <em>each</em> live
   * current replica. The dead member cannot send, and no single survivor is sure to hold every
   * write (a write acknowledged by a quorum that included the dead member may be on one survivor
   * only); pulling from all of them, merged last-write-wins on the target, gives the target what
   * any survivor holds.
   *
   * @throws IllegalStateException when no live replica is left for a range that must move
   */
  public static List<RangeStreamer.Transfer> removalTransfers(
      TokenRing ring, String dead, int rf, Predicate<String> alive) {
    TokenRing future = without(ring, dead);
    var out = new ArrayList<RangeStreamer.Transfer>();
    for (TokenRange r : ring.ranges()) {
      List<String> now = ring.replicasFor(r.end(), rf);
      List<String> sources = now.stream().filter(h -> !h.equals(dead) && alive.test(h)).toList();
      for (String target : future.replicasFor(r.end(), rf)) {
        if (now.contains(target)) {
          continue;
        }
        if (sources.isEmpty()) {
          throw new IllegalStateException(
              "no live replica holds " + r + " (replicas " + now + "): it cannot be re-replicated");
        }
        for (String source : sources) {
          out.add(new RangeStreamer.Transfer(r, source, target));
        }
      }
    }
    return out;
  }
}
