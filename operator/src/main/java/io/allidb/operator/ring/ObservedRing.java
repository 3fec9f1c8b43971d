package io.allidb.operator.ring;

import io.allidb.operator.api.RingMemberState;
import java.util.List;
import java.util.Map;

/**
 * The ring as the operator could observe it in one reconcile.
 *
 * @param reachable pods whose admin API answered
 * @param unreachable pods that exist but whose admin API did not answer
 * @param members members by pod, from the view with the highest epoch
 * @param allSeeAllUp every reachable node sees every member that has not LEFT as not DOWN, and all
 *     views list the same members: the bootstrap barrier
 * @param hintsPending hints held cluster-wide
 * @param nodeInfos what each reachable node says about itself, by pod
 */
public record ObservedRing(
    List<String> reachable,
    List<String> unreachable,
    long epoch,
    Map<String, MemberView> members,
    boolean allSeeAllUp,
    long hintsPending,
    Map<String, NodeInfo> nodeInfos) {

  /** A ring nobody could tell us about. */
  public static ObservedRing unknown(List<String> unreachable) {
    return new ObservedRing(List.of(), unreachable, -1, Map.of(), false, 0, Map.of());
  }

  /** Whether at least one node answered. */
  public boolean known() {
    return !reachable.isEmpty();
  }

  /** The member state of {@code pod}: LEFT if absent from a known ring, UNKNOWN if no ring. */
  public RingMemberState stateOf(String pod) {
    if (!known()) {
      return RingMemberState.UNKNOWN;
    }
    var member = members.get(pod);
    return member == null ? RingMemberState.LEFT : member.state();
  }

  /** Whether {@code pod} is a member (in any state but LEFT) of a known ring. */
  public boolean isMember(String pod) {
    var state = stateOf(pod);
    return state != RingMemberState.LEFT && state != RingMemberState.UNKNOWN;
  }

  /** Known, barrier holds, every member NORMAL, nobody unreachable. */
  public boolean stable() {
    return known()
        && unreachable.isEmpty()
        && allSeeAllUp
        && members.values().stream()
            .allMatch(
                m -> m.state() == RingMemberState.NORMAL || m.state() == RingMemberState.LEFT);
  }
}
