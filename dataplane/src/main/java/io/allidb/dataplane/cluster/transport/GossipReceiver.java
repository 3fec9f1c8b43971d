package io.allidb.dataplane.cluster.transport;

import io.allidb.dataplane.cluster.proto.GossipDigestAck;
import io.allidb.dataplane.cluster.proto.GossipDigestAck2;
import io.allidb.dataplane.cluster.proto.GossipDigestSyn;

/**
 * The gossip half of the internode service, implemented by the gossiper. Kept here, not in the
 * gossip package, so the transport does not depend on gossip (gossip depends on the transport to
 * send).
 *
 * <p>Implementations are thread-safe: calls arrive on gRPC threads, concurrently.
 */
public interface GossipReceiver {

  /**
   * Answers a gossip SYN.
   *
   * @throws io.grpc.StatusRuntimeException {@code FAILED_PRECONDITION} when the caller belongs to
   *     another cluster
   */
  GossipDigestAck onSyn(GossipDigestSyn syn);

  /** Merges the states of the third phase. */
  void onAck2(GossipDigestAck2 ack2);
}
