package io.allidb.dataplane.cluster.gossip;

import java.util.List;

/**
 * Where a node looks for its cluster before it knows any member: internode addresses ({@code
 * host:port}) of a few nodes, usually the first pods of the StatefulSet. Seeds are only a way in;
 * once a node has gossiped it learns every member's published address.
 *
 * <p>Implementations are thread-safe and cheap to call: the gossiper asks every round.
 */
@FunctionalInterface
public interface SeedProvider {

  List<String> seeds();

  /** A fixed list, from configuration. */
  static SeedProvider of(List<String> addresses) {
    List<String> copy = List.copyOf(addresses);
    return () -> copy;
  }

  /** No seeds: the first node of a fresh cluster. */
  static SeedProvider none() {
    return List::of;
  }
}
