package io.allidb.dataplane.index.graph;

/** Which edges of an entity a neighbour query follows. */
public enum Direction {
  /** Edges the entity stores: the entity is {@link Edge#from()}. */
  OUTGOING,
  /** Edges other entities store towards it: the entity is {@link Edge#to()}. */
  INCOMING,
  /** Both; a self-loop is returned once. */
  BOTH
}
