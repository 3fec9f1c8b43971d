package io.allidb.dataplane.cluster.streaming;

import io.allidb.dataplane.cluster.gossip.Gossiper;
import io.allidb.dataplane.cluster.proto.EndpointState;
import io.allidb.dataplane.cluster.proto.NodeStatus;
import java.time.Instant;
import java.util.List;

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

  /** "n4 is LEAVING since 2026-...": what an operator needs to find the change in the way. */
  static String describe(EndpointState s) {
    long micros = s.getChangeStartedMicros();
    return s.getHostId()
        + " is "
        + s.getStatus()
        + (micros > 0 ? " since " + Instant.ofEpochSecond(0, micros * 1000) : "");
  }
}
