package io.allidb.dataplane.cluster.streaming;

import io.allidb.dataplane.cluster.gossip.Gossiper;
import io.allidb.dataplane.cluster.proto.EndpointState;
import io.allidb.dataplane.cluster.proto.NodeStatus;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;

/**
 * Who else has a ring change in flight, as gossip shows it: the check behind "one ring change at a
 * time" (docs/cluster.md). A JOINING member counts once it published tokens or a claim (a new node
 * still learning the ring is JOINING without either and changes nothing yet).
 */
final class RingChangeClaims {
  private RingChangeClaims() {}

  /** Other members with a ring change in flight, earliest claim first (ties: lower host id). */
  static List<EndpointState> rivals(Gossiper gossiper, String me) {
    return gossiper.states().values().stream()
        .filter(s -> !s.getHostId().equals(me))
        .filter(
            s ->
                s.getStatus() == NodeStatus.LEAVING
                    || (s.getStatus() == NodeStatus.JOINING
                        && (s.getTokensCount() > 0 || s.getChangeStartedMicros() > 0)))
        .sorted(
            (a, b) ->
                a.getChangeStartedMicros() != b.getChangeStartedMicros()
                    ? Long.compare(a.getChangeStartedMicros(), b.getChangeStartedMicros())
                    : a.getHostId().compareTo(b.getHostId()))
        .toList();
  }

  /**
   * Why a node that published JOINING with {@code tokens} and {@code claim} must step back after
   * its settle delay, if it must: another change claimed earlier (ties: lower host id; a claim
   * without a time counts as earlier), or another member already owns one of these tokens. Two
   * nodes that start joining at once both pass "no other change in flight" before either published
   * its tokens, and both allocate from the same ring, so they take the same tokens; had both gone
   * on, the ring would keep only one of them while gossip showed both NORMAL. A later JOINING claim
   * with the same tokens is not a reason: that node steps back itself.
   */
  static Optional<String> joinConflict(
      Collection<EndpointState> states, String me, long claim, List<Long> tokens) {
    var mine = new HashSet<>(tokens);
    for (EndpointState s : states) {
      if (s.getHostId().equals(me)) {
        continue;
      }
      boolean changing =
          s.getStatus() == NodeStatus.LEAVING
              || (s.getStatus() == NodeStatus.JOINING
                  && (s.getTokensCount() > 0 || s.getChangeStartedMicros() > 0));
      long theirs = s.getChangeStartedMicros();
      boolean earlier =
          theirs == 0 || theirs < claim || (theirs == claim && s.getHostId().compareTo(me) < 0);
      if (changing && earlier) {
        return Optional.of("another ring change is in progress: " + describe(s));
      }
      boolean owns = s.getStatus() == NodeStatus.NORMAL || s.getStatus() == NodeStatus.LEAVING;
      if (owns) {
        for (long t : s.getTokensList()) {
          if (mine.contains(t)) {
            return Optional.of("token " + t + " is already " + s.getHostId() + "'s");
          }
        }
      }
    }
    return Optional.empty();
  }

  /** "n4 is LEAVING since 2026-...": what an operator needs to find the change in the way. */
  static String describe(EndpointState s) {
    long micros = s.getChangeStartedMicros();
    return s.getHostId()
        + " is "
        + s.getStatus()
        + (micros > 0 ? " since " + Instant.ofEpochSecond(0, micros * 1000) : "");
  }
}
