package io.allidb.operator.ring;

import java.util.List;
import java.util.Map;

/**
 * The ring's tokens as one node sees them (admin {@code RingView}: members' tokens and the
 * replication factor).
 *
 * @param tokens tokens per pod
 */
public record TokenMap(long epoch, int replicationFactor, Map<String, List<Long>> tokens) {
  public TokenMap {
    tokens = Map.copyOf(tokens);
  }
}
