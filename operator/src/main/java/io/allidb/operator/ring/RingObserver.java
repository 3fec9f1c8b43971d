package io.allidb.operator.ring;

import io.allidb.operator.api.RingMemberState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Asks every node for its identity and ring view and folds the answers into one {@link
 * ObservedRing}. Read-only: it never asks a node to change anything. Thread-safe if the {@link
 * NodeAdmin} is.
 */
public final class RingObserver {
  private static final org.slf4j.Logger logger =
      org.slf4j.LoggerFactory.getLogger(RingObserver.class);
  private final NodeAdmin admin;

  public RingObserver(NodeAdmin admin) {
    this.admin = admin;
  }

  /** Observe through {@code nodes} (typically every running pod of the cluster). */
  public ObservedRing observe(List<NodeAddress> nodes) {
    var reachable = new ArrayList<String>();
    var unreachable = new ArrayList<String>();
    var infos = new HashMap<String, NodeInfo>();
    var views = new ArrayList<RingView>();
    for (var node : nodes) {
      try {
        infos.put(node.pod(), admin.nodeInfo(node));
        views.add(admin.ringView(node));
        reachable.add(node.pod());
      } catch (NodeAdminException e) {
        // the message names the node, the RPC and the gRPC status; it never holds a credential
        logger.info("no admin answer: {}", e.getMessage());
        unreachable.add(node.pod());
      }
    }
    if (views.isEmpty()) {
      return ObservedRing.unknown(unreachable);
    }
    var freshest = views.stream().max((a, b) -> Long.compare(a.epoch(), b.epoch())).orElseThrow();
    Map<String, MemberView> members = new HashMap<>();
    for (var member : freshest.members()) {
      if (member.state() != RingMemberState.LEFT) {
        members.put(member.pod(), member);
      }
    }
    var hints = infos.values().stream().mapToLong(NodeInfo::hintsPending).sum();
    return new ObservedRing(
        List.copyOf(reachable),
        List.copyOf(unreachable),
        freshest.epoch(),
        Map.copyOf(members),
        barrierHolds(views),
        hints,
        Map.copyOf(infos));
  }

  /**
   * Scylla's bootstrap barrier: every node sees the same live membership and nobody DOWN. A node
   * that did not answer counts against it (assume the worst), which the caller sees as {@code
   * unreachable}.
   */
  static boolean barrierHolds(List<RingView> views) {
    Set<String> expected = null;
    for (var view : views) {
      var live =
          view.members().stream()
              .filter(m -> m.state() != RingMemberState.LEFT)
              .collect(Collectors.toList());
      if (live.stream().anyMatch(m -> m.state() == RingMemberState.DOWN)) {
        return false;
      }
      var names = live.stream().map(MemberView::pod).collect(Collectors.toSet());
      if (expected == null) {
        expected = names;
      } else if (!expected.equals(names)) {
        return false;
      }
    }
    return true;
  }
}
