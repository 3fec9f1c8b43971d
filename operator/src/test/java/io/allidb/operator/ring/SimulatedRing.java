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
  // day-2: what every node has loaded, as the test (or a Secret-reading hook) says
  private java.util.function.LongSupplier keySetGeneration = () -> 0;
  private java.util.function.LongSupplier certificateGeneration = () -> 0;
  private final Map<String, RepairProgress> repairs = new LinkedHashMap<>();
  private boolean repairsComplete = true;
  private int repairIds;

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
    return new NodeInfo(
        m.hostId(),
        m.rack(),
        m.state(),
        epoch,
        hintsPending,
        keySetGeneration.getAsLong(),
        certificateGeneration.getAsLong());
  }

  /**
   * Nodes report these generations as loaded (a test passes a lambda that reads the Secrets: the
   * nodes then load whatever the operator wrote, as after a kubelet sync and a reload).
   */
  public synchronized void loads(
      java.util.function.LongSupplier keySet, java.util.function.LongSupplier certificate) {
    this.keySetGeneration = keySet;
    this.certificateGeneration = certificate;
  }

  /** Whether a polled repair reports COMPLETED (true) or keeps RUNNING. */
  public synchronized void repairsComplete(boolean value) {
    repairsComplete = value;
  }

  @Override
  public synchronized SecretGenerations reloadSecrets(NodeAddress node) {
    check(node);
    calls.add("reloadSecrets " + node.pod());
    return new SecretGenerations(keySetGeneration.getAsLong(), certificateGeneration.getAsLong());
  }

  /** Four tokens per member, derived from its pod name (stable across calls). */
  @Override
  public synchronized TokenMap tokenMap(NodeAddress node) {
    check(node);
    var tokens = new LinkedHashMap<String, List<Long>>();
    var racks = new LinkedHashMap<String, String>();
    for (var m : members.values()) {
      var random = new java.util.Random(m.pod().hashCode());
      tokens.put(
          m.pod(),
          List.of(random.nextLong(), random.nextLong(), random.nextLong(), random.nextLong()));
      racks.put(m.pod(), m.rack());
    }
    return new TokenMap(epoch, 3, tokens, racks);
  }

  @Override
  public synchronized RepairProgress startRepair(
      NodeAddress node, List<TokenRange> ranges, double intensity) {
    check(node);
    var id = "repair-" + repairIds++;
    calls.add("startRepair " + node.pod() + " " + ranges.size());
    var p = new RepairProgress(id, RepairProgress.State.RUNNING, ranges.size(), 0, 0, "");
    repairs.put(id, p);
    return p;
  }

  @Override
  public synchronized RepairProgress repairStatus(NodeAddress node, String repairId) {
    check(node);
    var p = repairs.get(repairId);
    if (p == null) {
      return new RepairProgress("", RepairProgress.State.NONE, 0, 0, 0, "no such repair");
    }
    return repairsComplete
        ? new RepairProgress(
            repairId, RepairProgress.State.COMPLETED, p.rangesTotal(), p.rangesTotal(), 0, "")
        : p;
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
