package io.allidb.operator.ring;

import io.allidb.operator.api.RingMemberState;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A hand-written stand-in for the data plane's admin API: a ring whose members the test moves
 * through JOINING / NORMAL / LEAVING / LEFT / DOWN. Every reachable node reports the same view
 * unless the test splits views with {@link #hideFrom}. Thread-safe (the operator's reconcile thread
 * and the test thread both use it).
 */
public final class SimulatedRing implements NodeAdmin {
  private final Map<String, MemberView> members = new LinkedHashMap<>();
  private final Set<String> unreachable = new HashSet<>();
  private final Map<String, Set<String>> hidden = new LinkedHashMap<>();
  private final List<String> calls = new ArrayList<>();
  private long epoch = 1;
  private long hintsPending;

  public synchronized void put(String pod, String rack, RingMemberState state) {
    members.put(pod, new MemberView(pod, "host-" + pod, rack, state));
    epoch++;
  }

  /** A node becomes a NORMAL member (joined). */
  public synchronized void normal(String pod, String rack) {
    put(pod, rack, RingMemberState.NORMAL);
  }

  public synchronized void state(String pod, RingMemberState state) {
    var m = members.get(pod);
    put(pod, m.rack(), state);
  }

  /** The node finished leaving: it is gone from every view. */
  public synchronized void left(String pod) {
    members.remove(pod);
    epoch++;
  }

  public synchronized void unreachable(String pod, boolean value) {
    if (value) {
      unreachable.add(pod);
    } else {
      unreachable.remove(pod);
    }
  }

  /** {@code viewer} does not see {@code pod} (a split view: the barrier must not hold). */
  public synchronized void hideFrom(String viewer, String pod) {
    hidden.computeIfAbsent(viewer, k -> new HashSet<>()).add(pod);
  }

  public synchronized void hintsPending(long hints) {
    hintsPending = hints;
  }

  /** Mutating admin calls received, e.g. "decommission demo-default-4". */
  public synchronized List<String> calls() {
    return List.copyOf(calls);
  }

  @Override
  public synchronized NodeInfo nodeInfo(NodeAddress node) {
    check(node);
    var m = members.get(node.pod());
    if (m == null) {
      return new NodeInfo("host-" + node.pod(), null, RingMemberState.LEFT, epoch, 0);
    }
    return new NodeInfo(m.hostId(), m.rack(), m.state(), epoch, hintsPending);
  }

  @Override
  public synchronized RingView ringView(NodeAddress node) {
    check(node);
    var hiddenHere = hidden.getOrDefault(node.pod(), Set.of());
    return new RingView(
        epoch, members.values().stream().filter(m -> !hiddenHere.contains(m.pod())).toList());
  }

  @Override
  public synchronized void decommission(NodeAddress node) {
    check(node);
    calls.add("decommission " + node.pod());
    var m = members.get(node.pod());
    if (m != null && m.state() == RingMemberState.NORMAL) {
      put(node.pod(), m.rack(), RingMemberState.LEAVING);
    }
  }

  @Override
  public synchronized DecommissionStatus decommissionStatus(NodeAddress node) {
    check(node);
    var m = members.get(node.pod());
    if (m == null) {
      return DecommissionStatus.COMPLETED;
    }
    return m.state() == RingMemberState.LEAVING
        ? DecommissionStatus.IN_PROGRESS
        : DecommissionStatus.NOT_STARTED;
  }

  @Override
  public synchronized void drain(NodeAddress node) {
    check(node);
    calls.add("drain " + node.pod());
  }

  private void check(NodeAddress node) {
    if (unreachable.contains(node.pod())) {
      throw new NodeAdminException("unreachable: " + node);
    }
  }
}
