package io.allidb.operator.ring;

import io.allidb.operator.api.RingMemberState;

/**
 * What a node says about itself.
 *
 * @param hostId the node's ring identity, stable across restarts
 * @param state its own ring state
 * @param ringEpoch the ring version it has applied
 * @param hintsPending hints it still holds for other nodes; a scale-down waits until they drain
 */
public record NodeInfo(
    String hostId, String rack, RingMemberState state, long ringEpoch, long hintsPending) {}
