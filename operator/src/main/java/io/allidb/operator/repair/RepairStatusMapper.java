package io.allidb.operator.repair;

import io.allidb.operator.api.RepairStatus;
import io.allidb.operator.ring.TokenRange;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link RepairState} to and from {@code status.repair}. Ranges are written {@code (start,end]}.
 * Unreadable entries (a hand-edited status) are dropped: the worst case is repairing a range again.
 */
public final class RepairStatusMapper {
  private RepairStatusMapper() {}

  public static RepairStatus toStatus(RepairState s) {
    var out = new RepairStatus();
    out.setRound(s.round());
    out.setRoundStartedAt(str(s.roundStartedAt()));
    out.setRoundDeadline(str(s.roundDeadline()));
    out.setRingEpoch(s.inRound() ? s.ringEpoch() : null);
    out.setRangesTotal(s.inRound() ? s.rangesTotal() : null);
    out.setRangesDone(s.inRound() ? s.done().size() : null);
    out.setDoneRanges(s.done().stream().map(TokenRange::toString).toList());
    var running = new ArrayList<RepairStatus.RunningRepair>();
    for (var r : s.running()) {
      var rr = new RepairStatus.RunningRepair();
      rr.setPod(r.pod());
      rr.setRepairId(r.repairId());
      rr.setRanges(r.ranges().stream().map(TokenRange::toString).toList());
      rr.setStartedAt(str(r.startedAt()));
      running.add(rr);
    }
    out.setRunning(running);
    out.setPausedReason(s.pausedReason());
    out.setLastCompleted(str(s.lastCompleted()));
    out.setLastScheduled(str(s.lastScheduled()));
    out.setRequest(s.request());
    return out;
  }

  public static RepairState fromStatus(RepairStatus st) {
    if (st == null) {
      return RepairState.idle();
    }
    if (st.getRound() != null
        && (instant(st.getRoundStartedAt()) == null || instant(st.getRoundDeadline()) == null)) {
      st.setRound(null); // a round without its times cannot be judged: start the next one cleanly
    }
    var running = new ArrayList<RepairState.Running>();
    if (st.getRunning() != null) {
      for (var r : st.getRunning()) {
        if (r.getPod() != null && r.getRepairId() != null) {
          running.add(
              new RepairState.Running(
                  r.getPod(), r.getRepairId(), ranges(r.getRanges()), instant(r.getStartedAt())));
        }
      }
    }
    return new RepairState(
        st.getRound(),
        instant(st.getRoundStartedAt()),
        instant(st.getRoundDeadline()),
        st.getRingEpoch() == null ? 0 : st.getRingEpoch(),
        st.getRangesTotal() == null ? 0 : st.getRangesTotal(),
        new java.util.HashSet<>(ranges(st.getDoneRanges())),
        running,
        instant(st.getLastCompleted()),
        instant(st.getLastScheduled()),
        st.getRequest(),
        st.getPausedReason());
  }

  static List<TokenRange> ranges(List<String> texts) {
    var out = new ArrayList<TokenRange>();
    if (texts != null) {
      for (var t : texts) {
        var range = parse(t);
        if (range != null) {
          out.add(range);
        }
      }
    }
    return out;
  }

  static TokenRange parse(String text) {
    if (text == null || !text.startsWith("(") || !text.endsWith("]")) {
      return null;
    }
    var parts = text.substring(1, text.length() - 1).split(",");
    try {
      return parts.length == 2
          ? new TokenRange(Long.parseLong(parts[0]), Long.parseLong(parts[1]))
          : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String str(Instant i) {
    return i == null ? null : i.toString();
  }

  private static Instant instant(String s) {
    try {
      return s == null ? null : Instant.parse(s);
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }
}
