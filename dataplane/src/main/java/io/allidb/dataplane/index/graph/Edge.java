package io.allidb.dataplane.index.graph;

import java.util.Objects;

/**
 * A directed, weighted, typed edge between two entities of one tenant. Stored on the source
 * entity's row; the graph index makes it visible from the target too.
 *
 * @param from the source entity id
 * @param to the target entity id
 * @param relation the edge type, e.g. {@code "cites"}; empty means untyped
 * @param weight the edge's strength; neighbours are ranked by it, highest first. Must be finite
 */
public record Edge(String from, String to, String relation, double weight) {

  /** Validates the edge; messages name the offending value. */
  public Edge {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(relation, "relation");
    if (from.isEmpty() || to.isEmpty()) {
      throw new IllegalArgumentException(
          "edge ends must not be empty; got from '" + from + "', to '" + to + "'");
    }
    if (!Double.isFinite(weight)) {
      throw new IllegalArgumentException(
          "edge " + from + " -" + relation + "-> " + to + " has a non-finite weight: " + weight);
    }
  }
}
