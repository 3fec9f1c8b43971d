package io.allidb.operator.repair;

import io.allidb.operator.model.GoDuration;
import io.allidb.operator.ring.RepairProgress;
import io.allidb.operator.ring.TokenMap;
import io.allidb.operator.ring.TokenRange;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides one reconcile's repair work. Pure: the clock, the ring, the nodes' repair reports and the
 * stored progress come in as values.
 *
 * <ul>
 *   <li>A round starts at a new schedule tick or a new repair-now request, and must finish within
 *       {@code deadline} of its start. A tick during a round is taken by that round; a request
 *       during a round starts a round of its own once the current one completes.
 *   <li>Repairs that completed count their ranges as done; failed or vanished ones (a restarted
 *       node) leave their ranges to be retried.
 *   <li>New repairs start only while no ring operation or rolling restart is in progress, at most
 *       {@code parallelism} at once, and never two whose replica sets share a node (each repair
 *       streams between all replicas of its ranges). One repair takes every pending range of one
 *       replica set (the same nodes, whichever of them is a range's primary), coordinated by one of
 *       them: any replica of a range can coordinate its repair. Grouping by primary as well split a
 *       three-node round into six repairs, and a four-node one into over twenty.
 *   <li>A changed ring epoch re-plans: ranges repaired that still exist stay done, the rest are
 *       pending again.
 * </ul>
 *
 * RepairHealthy is False when the round has passed its deadline, or when at the rate so far it
 * would not finish in time.
 */
public final class RepairPlanner {
  private RepairPlanner() {}

  /**
   * @param lastTick the schedule's latest tick at or before now (null: none)
   * @param request the current repair-now token (null: none)
   * @param ring the ring as a node reports it; null when no node answered
   * @param busy why repairs must not start now (ring change, rolling restart); null when free
   * @param reports the latest report of each running repair by repair id; absent when unknown
   */
  public record Input(
      boolean enabled,
      int parallelism,
      Duration deadline,
      Instant lastTick,
      String request,
      RepairState state,
      TokenMap ring,
      String busy,
      Map<String, RepairProgress> reports,
      Instant now) {}

  /** Start a repair of {@code ranges} on {@code pod}. */
  public record Start(String pod, List<TokenRange> ranges) {}

  /**
   * @param health True, False or Unknown
   */
  public record Plan(
      RepairState state,
      List<Start> starts,
      String health,
      String reason,
      String message,
      List<String> changes) {}

  public static Plan plan(Input in) {
    var s = in.state();
    var now = in.now();
    var changes = new ArrayList<String>();
    var sets = in.ring() == null ? null : ReplicaPlacement.replicaSets(in.ring());
    var done = new LinkedHashSet<>(s.done());
    var running = new ArrayList<RepairState.Running>();
    var lastCompleted = s.lastCompleted();

    for (var r : s.running()) {
      var report = in.reports().get(r.repairId());
      if (report == null || report.state() == RepairProgress.State.RUNNING) {
        running.add(r);
      } else if (report.state() == RepairProgress.State.COMPLETED) {
        for (var range : r.ranges()) {
          if (sets == null || sets.containsKey(range)) {
            done.add(range);
          }
        }
        changes.add(
            "repair "
                + r.repairId()
                + " on "
                + r.pod()
                + " completed "
                + r.ranges().size()
                + " range(s)");
      } else {
        changes.add(
            "repair "
                + r.repairId()
                + " on "
                + r.pod()
                + " ended "
                + report.state()
                + " ("
                + report.message()
                + "); its ranges will be retried");
      }
    }

    String round = s.round();
    Instant started = s.roundStartedAt();
    Instant roundDeadline = s.roundDeadline();
    long epoch = s.ringEpoch();
    int total = s.rangesTotal();
    Instant lastScheduled = s.lastScheduled();
    String request = s.request();
    if (in.enabled() || (in.request() != null && !in.request().equals(request))) {
      boolean requested = in.request() != null && !in.request().equals(request);
      boolean ticked =
          in.enabled()
              && in.lastTick() != null
              && (lastScheduled == null || in.lastTick().isAfter(lastScheduled));
      boolean startsNow = round == null && (requested || ticked) && sets != null;
      if (startsNow) {
        round = now.toString();
        started = now;
        roundDeadline = now.plus(in.deadline());
        epoch = in.ring().epoch();
        total = sets.size();
        done.clear();
        changes.add(
            "repair round "
                + round
                + " started ("
                + (requested ? "requested " + in.request() : "schedule")
                + "): "
                + total
                + " range(s), deadline "
                + roundDeadline);
      }
      // a request that arrives during a round waits for a round of its own: the round in flight
      // may have repaired ranges before the divergence the request is about
      if (requested && startsNow) {
        request = in.request();
      }
      if (ticked && round != null) {
        lastScheduled = in.lastTick();
      }
    }

    var starts = new ArrayList<Start>();
    String paused = null;
    if (round != null && sets != null) {
      if (in.ring().epoch() != epoch) {
        done.retainAll(sets.keySet());
        changes.add(
            "ring changed (epoch "
                + epoch
                + " -> "
                + in.ring().epoch()
                + "): re-planned, "
                + done.size()
                + "/"
                + sets.size()
                + " range(s) still repaired");
        epoch = in.ring().epoch();
        total = sets.size();
      }
      if (done.containsAll(sets.keySet()) && running.isEmpty()) {
        changes.add("repair round " + round + " complete");
        lastCompleted = now;
        round = null;
        started = null;
        roundDeadline = null;
        epoch = 0;
        total = 0;
        done.clear();
      } else if (in.busy() != null) {
        paused = in.busy();
      } else {
        starts.addAll(pick(sets, done, running, in.parallelism()));
      }
    } else if (round != null) {
      paused = "no node reports the ring";
    }

    var state =
        new RepairState(
            round,
            started,
            roundDeadline,
            epoch,
            total,
            done,
            running,
            lastCompleted,
            lastScheduled,
            request,
            paused);
    return health(in, state, starts, changes);
  }

  private static List<Start> pick(
      Map<TokenRange, List<String>> sets,
      Set<TokenRange> done,
      List<RepairState.Running> running,
      int parallelism) {
    var busy = new HashSet<String>();
    var inFlight = new HashSet<TokenRange>();
    for (var r : running) {
      busy.add(r.pod());
      for (var range : r.ranges()) {
        inFlight.add(range);
        busy.addAll(sets.getOrDefault(range, List.of()));
      }
    }
    var starts = new ArrayList<Start>();
    int slots = parallelism - running.size();
    for (var e : sets.entrySet()) {
      if (slots <= 0) {
        break;
      }
      var replicas = e.getValue();
      if (done.contains(e.getKey())
          || inFlight.contains(e.getKey())
          || replicas.isEmpty()
          || replicas.stream().anyMatch(busy::contains)) {
        continue;
      }
      // the same replicas in any order: one repair covers them all, whichever replica is primary
      var members = new HashSet<>(replicas);
      var ranges = new ArrayList<TokenRange>();
      for (var other : sets.entrySet()) {
        if (members.equals(new HashSet<>(other.getValue()))
            && !done.contains(other.getKey())
            && !inFlight.contains(other.getKey())) {
          ranges.add(other.getKey());
        }
      }
      starts.add(new Start(replicas.get(0), ranges));
      busy.addAll(replicas);
      slots--;
    }
    return starts;
  }

  private static Plan health(Input in, RepairState s, List<Start> starts, List<String> changes) {
    var now = in.now();
    if (!in.enabled() && !s.inRound()) {
      return new Plan(
          s,
          starts,
          "True",
          "Disabled",
          "scheduled repair is off: repair every range within gc_grace yourself",
          changes);
    }
    if (!s.inRound()) {
      if (s.lastCompleted() != null && now.isAfter(s.lastCompleted().plus(in.deadline()))) {
        return new Plan(
            s,
            starts,
            "False",
            "Overdue",
            "last complete repair "
                + s.lastCompleted()
                + " is older than the deadline "
                + GoDuration.human(in.deadline())
                + "; check spec.repair.schedule",
            changes);
      }
      return new Plan(
          s,
          starts,
          "True",
          "Idle",
          s.lastCompleted() == null
              ? "no repair round completed yet"
              : "last complete repair " + s.lastCompleted(),
          changes);
    }
    if (in.ring() == null) {
      return new Plan(
          s, starts, "Unknown", "RingUnknown", "no node reports the ring; repair waits", changes);
    }
    var progress = s.done().size() + "/" + s.rangesTotal() + " range(s)";
    var suffix = s.pausedReason() == null ? "" : "; paused: " + s.pausedReason();
    if (!now.isBefore(s.roundDeadline())) {
      return new Plan(
          s,
          starts,
          "False",
          "DeadlineMissed",
          "round "
              + s.round()
              + " passed its deadline "
              + s.roundDeadline()
              + " at "
              + progress
              + suffix,
          changes);
    }
    var elapsed = Duration.between(s.roundStartedAt(), now);
    var window = Duration.between(s.roundStartedAt(), s.roundDeadline());
    if (s.done().isEmpty()) {
      if (elapsed.compareTo(window.dividedBy(2)) > 0) {
        return new Plan(
            s,
            starts,
            "False",
            "DeadlineAtRisk",
            "half the deadline passed and no range is repaired yet" + suffix,
            changes);
      }
    } else {
      var projected =
          s.roundStartedAt().plus(elapsed.multipliedBy(s.rangesTotal()).dividedBy(s.done().size()));
      if (projected.isAfter(s.roundDeadline())) {
        return new Plan(
            s,
            starts,
            "False",
            "DeadlineAtRisk",
            "at the rate so far ("
                + progress
                + " in "
                + GoDuration.human(elapsed)
                + ") the round ends "
                + projected
                + ", after its deadline "
                + s.roundDeadline()
                + suffix,
            changes);
      }
    }
    return new Plan(
        s,
        starts,
        "True",
        s.pausedReason() == null ? "Repairing" : "Paused",
        "round " + s.round() + ": " + progress + ", deadline " + s.roundDeadline() + suffix,
        changes);
  }
}
