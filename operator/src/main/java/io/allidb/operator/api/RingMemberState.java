package io.allidb.operator.api;

/**
 * A node's ring state as the data plane reports it (TARGET.md decision 8). {@link #UNKNOWN} is the
 * operator's own: no node could tell.
 */
public enum RingMemberState {
  JOINING,
  NORMAL,
  LEAVING,
  LEFT,
  DOWN,
  UNKNOWN
}
