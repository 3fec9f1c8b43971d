package io.allidb.dataplane.cluster.gossip;

import io.allidb.dataplane.cluster.proto.NodeStatus;
import java.util.List;
import java.util.Objects;

/**
 * What a node must remember across restarts to come back as the same ring member: its host id,
 * status, tokens and the ring epoch at which those tokens took effect. Kept in the data directory
 * ({@link RingIdentityFormat}); a restarted node republishes it instead of taking new tokens, so
 * the data it holds stays the data it owns.
 *
 * @param hostId the node's host id
 * @param status its last published status (NORMAL once it has joined)
 * @param tokens its vnode tokens, sorted
 * @param ringEpoch the epoch published with these tokens
 */
public record RingIdentity(String hostId, NodeStatus status, List<Long> tokens, long ringEpoch) {
  public RingIdentity {
    Objects.requireNonNull(hostId, "hostId");
    Objects.requireNonNull(status, "status");
    tokens = List.copyOf(tokens);
    if (hostId.isEmpty()) {
      throw new IllegalArgumentException("hostId must not be empty");
    }
    if (status == NodeStatus.UNRECOGNIZED || status == NodeStatus.NODE_STATUS_UNKNOWN) {
      throw new IllegalArgumentException("status must be a real node status; got " + status);
    }
    if (ringEpoch < 0) {
      throw new IllegalArgumentException("ringEpoch must be >= 0; got " + ringEpoch);
    }
  }
}
