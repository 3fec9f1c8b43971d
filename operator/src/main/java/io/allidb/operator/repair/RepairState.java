package io.allidb.operator.repair;

import io.allidb.operator.ring.TokenRange;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The repair progress the planner works on; {@link RepairStatusMapper} stores it in status, so a
 * restarted operator resumes the round.
 *
 * @param round id of the round in flight (its start instant), null when idle
 * @param done ranges repaired in this round
 * @param running repairs started and not yet seen finished
 * @param lastScheduled the schedule tick the latest round was started for
 * @param request the last repair-now token acted on
 */
public record RepairState(
    String round,
    Instant roundStartedAt,
    Instant roundDeadline,
    long ringEpoch,
    int rangesTotal,
    Set<TokenRange> done,
    List<Running> running,
    Instant lastCompleted,
    Instant lastScheduled,
    String request,
    String pausedReason) {

  public RepairState {
    var sorted = new TreeSet<TokenRange>(RepairState::compare);
    sorted.addAll(done);
    done = java.util.Collections.unmodifiableSet(sorted);
    running = List.copyOf(running);
  }

  public static RepairState idle() {
    return new RepairState(null, null, null, 0, 0, Set.of(), List.of(), null, null, null, null);
  }

  public boolean inRound() {
    return round != null;
  }

  /** A repair on one node. */
  public record Running(String pod, String repairId, List<TokenRange> ranges, Instant startedAt) {
    public Running {
      ranges = List.copyOf(ranges);
    }
  }

  static int compare(TokenRange a, TokenRange b) {
    int c = Long.compare(a.end(), b.end());
    return c != 0 ? c : Long.compare(a.start(), b.start());
  }
}
