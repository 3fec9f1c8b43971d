package io.allidb.operator.ring;

import java.util.List;
import java.util.Map;

/**
 * The ring's tokens as one node sees them (admin {@code RingView}: members' tokens and racks, and
 * the replication factor).
 *
 * @param tokens tokens per pod
 * @param racks rack per pod
 */
public record TokenMap(
    long epoch, int replicationFactor, Map<String, List<Long>> tokens, Map<String, String> racks) {
  public TokenMap {
    tokens = Map.copyOf(tokens);
    racks = Map.copyOf(racks);
  }
}
