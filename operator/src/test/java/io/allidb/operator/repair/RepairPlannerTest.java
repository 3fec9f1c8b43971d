package io.allidb.operator.repair;

import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.operator.TestingClock;
import io.allidb.operator.ring.RepairProgress;
import io.allidb.operator.ring.TokenMap;
import io.allidb.operator.ring.TokenRange;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The repair planner on a hand-moved clock against a simulated ring whose nodes run the repairs
 * they are asked for. After every step the invariants are checked: at most {@code parallelism}
 * repairs, and no two running repairs share a replica. The state goes through status and back at
 * every step, as it does across operator restarts.
 */
class RepairPlannerTest {
  private static final Duration DEADLINE = Duration.ofDays(7);

  private final TestingClock clock = new TestingClock(Instant.parse("2026-01-05T01:00:00Z"));
  private final long seed = System.nanoTime();
  private final Random random = new Random(seed);
  private TokenMap ring;
  private RepairState state = RepairState.idle();
  private final Map<String, RepairProgress> reports = new HashMap<>();
  private final List<TokenRange> repairedEver = new ArrayList<>();
  private final Map<String, List<TokenRange>> byId = new HashMap<>();
  private int parallelism = 2;
  private boolean enabled = true;
  private String busy;
  private String request;
  private Instant tick;
  private int ids;

  @BeforeEach
  void sixNodesInThreeRacks() {
    System.out.println("RepairPlannerTest seed " + seed);
    ring = ring(1, 6);
  }

  private TokenMap ring(long epoch, int nodes) {
    var tokens = new LinkedHashMap<String, List<Long>>();
    var racks = new LinkedHashMap<String, String>();
    var r = new Random(seed);
    for (int i = 0; i < nodes; i++) {
      var pod = "db-" + (char) ('a' + i % 3) + "-" + i / 3;
      var list = new ArrayList<Long>();
      for (int t = 0; t < 4; t++) {
        list.add(r.nextLong());
      }
      tokens.put(pod, list);
      racks.put(pod, "rack-" + (char) ('a' + i % 3));
    }
    return new TokenMap(epoch, 3, tokens, racks);
  }

  private RepairPlanner.Plan step() {
    var plan =
        RepairPlanner.plan(
            new RepairPlanner.Input(
                enabled,
                parallelism,
                DEADLINE,
                tick,
                request,
                state,
                ring,
                busy,
                Map.copyOf(reports),
                clock.instant()));
    var running = new ArrayList<>(plan.state().running());
    for (var start : plan.starts()) {
      var id = "r" + ids++;
      running.add(new RepairState.Running(start.pod(), id, start.ranges(), clock.instant()));
      reports.put(
          id,
          new RepairProgress(id, RepairProgress.State.RUNNING, start.ranges().size(), 0, 0, ""));
      byId.put(id, start.ranges());
    }
    var s = plan.state();
    var next =
        new RepairState(
            s.round(),
            s.roundStartedAt(),
            s.roundDeadline(),
            s.ringEpoch(),
            s.rangesTotal(),
            s.done(),
            running,
            s.lastCompleted(),
            s.lastScheduled(),
            s.request(),
            s.pausedReason());
    // through status and back: what a restarted operator reads
    state = RepairStatusMapper.fromStatus(RepairStatusMapper.toStatus(next));
    assertThat(state).isEqualTo(next);
    checkInvariants();
    return plan;
  }

  private void checkInvariants() {
    assertThat(state.running().size()).as("seed %d", seed).isLessThanOrEqualTo(parallelism);
    if (ring == null) {
      return;
    }
    var sets = ReplicaPlacement.replicaSets(ring);
    var used = new HashSet<String>();
    for (var r : state.running()) {
      var nodes = new HashSet<String>();
      r.ranges().forEach(range -> nodes.addAll(sets.getOrDefault(range, List.of(r.pod()))));
      for (var n : nodes) {
        assertThat(used.add(n)).as("two repairs on replica %s (seed %d)", n, seed).isTrue();
      }
    }
  }

  /** Nodes finish whatever runs. */
  private void finishAll(RepairProgress.State how) {
    for (var r : state.running()) {
      reports.put(
          r.repairId(),
          new RepairProgress(
              r.repairId(), how, r.ranges().size(), r.ranges().size(), 1, how.name()));
      if (how == RepairProgress.State.COMPLETED) {
        repairedEver.addAll(r.ranges());
      }
    }
  }

  private void runRoundToTheEnd() {
    for (int i = 0; i < 200 && state.inRound(); i++) {
      clock.advance(Duration.ofMinutes(10));
      finishAll(RepairProgress.State.COMPLETED);
      step();
    }
    assertThat(state.inRound()).as("round finished (seed %d)", seed).isFalse();
  }

  @Test
  void aScheduledRoundRepairsEveryRangeWithoutOverlappingReplicaSets() {
    tick = Instant.parse("2026-01-05T00:00:00Z");

    var plan = step();

    assertThat(state.inRound()).isTrue();
    assertThat(plan.starts()).isNotEmpty().hasSizeLessThanOrEqualTo(parallelism);
    assertThat(state.rangesTotal()).isEqualTo(24);
    runRoundToTheEnd();
    assertThat(repairedEver).containsAll(ReplicaPlacement.replicaSets(ring).keySet());
    assertThat(state.lastCompleted()).isEqualTo(clock.instant());
    assertThat(step().starts()).as("same tick: no second round").isEmpty();
  }

  @Test
  void aRingChangePausesTheRoundAndItResumesReplannedAfterIt() {
    tick = Instant.parse("2026-01-05T00:00:00Z");
    step();
    clock.advance(Duration.ofMinutes(10));
    finishAll(RepairProgress.State.COMPLETED);
    step();
    var doneBefore = state.done().size();
    assertThat(doneBefore).isPositive();

    busy = "ring operation JOIN in progress";
    clock.advance(Duration.ofMinutes(10));
    finishAll(RepairProgress.State.COMPLETED);
    var plan = step();
    assertThat(plan.starts()).isEmpty();
    assertThat(state.pausedReason()).isEqualTo(busy);
    assertThat(state.running()).isEmpty();
    assertThat(plan.reason()).isEqualTo("Paused");

    // the scale-up finished: one more node, new ranges; the round re-plans and resumes
    busy = null;
    var before = ReplicaPlacement.replicaSets(ring).keySet();
    ring = ring(2, 7);
    var after = ReplicaPlacement.replicaSets(ring).keySet();
    plan = step();
    assertThat(plan.changes()).anyMatch(c -> c.contains("re-planned"));
    assertThat(state.rangesTotal()).isEqualTo(after.size());
    assertThat(state.done()).allMatch(after::contains);
    assertThat(state.done()).allMatch(before::contains);
    assertThat(plan.starts()).isNotEmpty();
    runRoundToTheEnd();
    assertThat(repairedEver).containsAll(after);
  }

  @Test
  void oneRepairCoversAReplicaSetWhicheverOfItsNodesIsPrimary() {
    ring = ring(1, 3); // RF 3 on three nodes: every range has the same three replicas
    tick = Instant.parse("2026-01-05T00:00:00Z");

    var plan = step();

    assertThat(plan.starts()).singleElement().satisfies(s -> assertThat(s.ranges()).hasSize(12));
    runRoundToTheEnd();
    assertThat(ids).as("one repair for the whole round").isEqualTo(1);
  }

  @Test
  void failedRepairsAreRetried() {
    tick = Instant.parse("2026-01-05T00:00:00Z");
    var first = step().starts();
    clock.advance(Duration.ofMinutes(10));
    finishAll(RepairProgress.State.FAILED);

    var plan = step();

    assertThat(plan.changes()).anyMatch(c -> c.contains("FAILED") && c.contains("retried"));
    assertThat(state.done()).isEmpty();
    assertThat(plan.starts()).isEqualTo(first);
  }

  @Test
  void theConditionFlipsWhenRepairCannotKeepUp() {
    parallelism = 1;
    tick = Instant.parse("2026-01-05T00:00:00Z");
    var plan = step();
    assertThat(plan.health()).isEqualTo("True");

    // one replica set done, half a day later than the share of the deadline its ranges allow:
    // at that rate the round ends after its deadline
    int first = plan.starts().get(0).ranges().size();
    int total = state.rangesTotal();
    assertThat(first).as("seed %d", seed).isLessThan(total * 9 / 10);
    clock.advance(DEADLINE.multipliedBy(first).dividedBy(total).plusHours(12));
    finishAll(RepairProgress.State.COMPLETED);
    plan = step();
    assertThat(plan.health()).as(plan.message()).isEqualTo("False");
    assertThat(plan.reason()).isEqualTo("DeadlineAtRisk");

    clock.advance(DEADLINE);
    plan = step();
    assertThat(plan.reason()).isEqualTo("DeadlineMissed");
  }

  @Test
  void noProgressForHalfTheDeadlineIsAtRisk() {
    tick = Instant.parse("2026-01-05T00:00:00Z");
    step();
    clock.advance(DEADLINE.dividedBy(2).minusMinutes(1));
    assertThat(step().health()).isEqualTo("True");
    clock.advance(Duration.ofMinutes(2));
    assertThat(step().reason()).isEqualTo("DeadlineAtRisk");
  }

  @Test
  void aRepairNowRequestRunsOnceEvenWithTheScheduleOff() {
    enabled = false;
    assertThat(step().reason()).isEqualTo("Disabled");
    request = "ticket-42";

    step();
    assertThat(state.inRound()).isTrue();
    runRoundToTheEnd();
    assertThat(state.request()).isEqualTo("ticket-42");
    assertThat(step().starts()).isEmpty();
    assertThat(state.inRound()).isFalse();
  }

  @Test
  void aRepairNowDuringARoundGetsARoundOfItsOwnAfterIt() {
    tick = Instant.parse("2026-01-05T00:00:00Z");
    step();
    clock.advance(Duration.ofMinutes(10));
    finishAll(RepairProgress.State.COMPLETED);
    step();
    var scheduled = state.round();
    assertThat(state.done()).isNotEmpty();

    request = "after-incident-7";
    step();
    assertThat(state.round()).as("the round in flight goes on").isEqualTo(scheduled);
    assertThat(state.request()).as("not taken by a round that started before it").isNull();
    runRoundToTheEnd();

    clock.advance(Duration.ofMinutes(1));
    var plan = step();
    assertThat(state.inRound()).isTrue();
    assertThat(state.request()).isEqualTo("after-incident-7");
    assertThat(state.done()).as("every range again").isEmpty();
    assertThat(plan.starts()).isNotEmpty();
    runRoundToTheEnd();
    assertThat(step().starts()).isEmpty();
  }

  @Test
  void anUnknownRingWaitsAndSaysSo() {
    tick = Instant.parse("2026-01-05T00:00:00Z");
    step();
    ring = null;

    var plan = step();

    assertThat(plan.health()).isEqualTo("Unknown");
    assertThat(plan.starts()).isEmpty();
  }

  @Test
  void theScheduleIsUnixCronInUtc() {
    var daily = RepairSchedule.parse("0 2 * * *");

    assertThat(daily.lastTick(Instant.parse("2026-01-05T01:59:00Z")))
        .isEqualTo(Instant.parse("2026-01-04T02:00:00Z"));
    assertThat(daily.lastTick(Instant.parse("2026-01-05T02:00:30Z")))
        .isEqualTo(Instant.parse("2026-01-05T02:00:00Z"));
    assertThat(daily.nextTick(Instant.parse("2026-01-05T02:00:30Z")))
        .isEqualTo(Instant.parse("2026-01-06T02:00:00Z"));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> RepairSchedule.parse("every day"))
        .hasMessageContaining("spec.repair.schedule");
  }
}
