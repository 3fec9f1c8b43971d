package io.allidb.dataplane.cluster.gossip;

import io.allidb.dataplane.cluster.proto.EndpointState;

/**
 * Hears about membership changes as this node's gossiper learns them. Events are delivered one at a
 * time, in the order they were learned, on the gossiper's event thread: a listener must not block
 * for long (hand slow work to its own executor). Events for this node itself are delivered too
 * ({@link #onJoin} at start, {@link #onChange} for each change it publishes).
 */
public interface MembershipListener {

  /** A member seen for the first time. */
  default void onJoin(EndpointState state) {}

  /**
   * A member's application fields (status, tokens, address, rack, ring epoch, load) changed;
   * heartbeats alone do not call this.
   */
  default void onChange(EndpointState previous, EndpointState current) {}

  /** A member restarted: its generation changed. */
  default void onRestart(EndpointState previous, EndpointState current) {}

  /** The failure detector considers the member alive (again). */
  default void onAlive(String hostId) {}

  /** The failure detector convicted the member. */
  default void onDead(String hostId) {}
}
