package io.allidb.operator.ring;

import java.util.List;

/** A node's whole view of the ring at one ring epoch (higher epochs are newer). */
public record RingView(long epoch, List<MemberView> members) {
  public RingView {
    members = List.copyOf(members);
  }
}
