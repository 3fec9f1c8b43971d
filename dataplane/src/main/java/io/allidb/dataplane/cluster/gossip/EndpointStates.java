package io.allidb.dataplane.cluster.gossip;

import io.allidb.dataplane.cluster.proto.EndpointDigest;
import io.allidb.dataplane.cluster.proto.EndpointState;
import io.allidb.dataplane.cluster.proto.NodeStatus;

/**
 * Version arithmetic of endpoint states. A state is identified by (generation, max version): the
 * generation is the process start, and within a generation every change the node makes (a heartbeat
 * or an application change) takes the next number of one counter, so {@code max(heartbeat_version,
 * app_version)} orders all the states a node ever published. Each state travels whole, so the newer
 * state replaces the older without a field-by-field merge.
 */
final class EndpointStates {
  private EndpointStates() {}

  static long maxVersion(EndpointState s) {
    return Math.max(s.getHeartbeatVersion(), s.getAppVersion());
  }

  static EndpointDigest digest(EndpointState s) {
    return EndpointDigest.newBuilder()
        .setHostId(s.getHostId())
        .setGeneration(s.getGeneration())
        .setMaxVersion(maxVersion(s))
        .build();
  }

  /** Whether {@code s} is newer than what {@code d} describes. */
  static boolean newer(EndpointState s, EndpointDigest d) {
    return s.getGeneration() > d.getGeneration()
        || (s.getGeneration() == d.getGeneration() && maxVersion(s) > d.getMaxVersion());
  }

  /** Whether {@code d} describes something newer than {@code s}. */
  static boolean newer(EndpointDigest d, EndpointState s) {
    return d.getGeneration() > s.getGeneration()
        || (d.getGeneration() == s.getGeneration() && d.getMaxVersion() > maxVersion(s));
  }

  static boolean newer(EndpointState a, EndpointState b) {
    return newer(a, digest(b));
  }

  /** Whether the application fields differ (anything but the heartbeat). */
  static boolean appChanged(EndpointState a, EndpointState b) {
    return a.getAppVersion() != b.getAppVersion() || a.getGeneration() != b.getGeneration();
  }

  /** Statuses whose tokens are part of the ring: the node serves (or still serves) its ranges. */
  static boolean ownsTokens(NodeStatus status) {
    return status == NodeStatus.NORMAL || status == NodeStatus.LEAVING;
  }
}
