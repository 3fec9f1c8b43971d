package io.allidb.operator.ring;

import io.allidb.operator.api.RingMemberState;

/**
 * What a node says about itself.
 *
 * @param hostId the node's ring identity, stable across restarts
 * @param state its own ring state
 * @param ringEpoch the ring version it has applied
 * @param hintsPending hints it still holds for other nodes; a scale-down waits until they drain
 * @param keySetGeneration generation of the API key set it has loaded (the {@code # generation:}
 *     line of the key-set Secret); 0 when unknown
 * @param certificateGeneration generation of the TLS material it has loaded (the {@code generation}
 *     file of its TLS Secrets, the smaller of the two); 0 when unknown
 */
public record NodeInfo(
    String hostId,
    String rack,
    RingMemberState state,
    long ringEpoch,
    long hintsPending,
    long keySetGeneration,
    long certificateGeneration) {

  /** A node that does not report secret generations (0 = unknown). */
  public NodeInfo(
      String hostId, String rack, RingMemberState state, long ringEpoch, long hintsPending) {
    this(hostId, rack, state, ringEpoch, hintsPending, 0, 0);
  }
}
