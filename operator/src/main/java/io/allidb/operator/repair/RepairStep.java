package io.allidb.operator.repair;

import io.allidb.operator.api.Day2Annotations;
import io.allidb.operator.api.RepairStatus;
import io.allidb.operator.day2.ClusterEvents;
import io.allidb.operator.day2.Day2Context;
import io.allidb.operator.model.GoDuration;
import io.allidb.operator.ring.NodeAdminException;
import io.allidb.operator.ring.RepairProgress;
import io.allidb.operator.ring.TokenMap;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@link RepairPlanner}: reads the ring's tokens from the first node that answers, polls
 * the repairs in flight, starts the planned ones through the admin API, and reports progress. The
 * previous progress comes from {@code status.repair}, so a restarted operator resumes the round.
 */
public final class RepairStep {
  private static final Logger logger = LoggerFactory.getLogger(RepairStep.class);

  private RepairStep() {}

  /**
   * @param health the RepairHealthy status: True, False or Unknown
   */
  public record Outcome(
      RepairStatus status, String health, String reason, String message, Instant lastCompleted) {}

  /**
   * @param previous {@code status.repair} as last written
   * @param busy why no repair may start now (ring operation, rolling restart), or null
   */
  public static Outcome reconcile(Day2Context ctx, RepairStatus previous, String busy) {
    var spec = ctx.cluster().getSpec().getRepair();
    var state = RepairStatusMapper.fromStatus(previous);
    RepairSchedule schedule;
    java.time.Duration deadline;
    try {
      schedule = RepairSchedule.parse(spec.getSchedule());
      deadline = GoDuration.parse(spec.getDeadline(), "spec.repair.deadline");
    } catch (IllegalArgumentException e) {
      return new Outcome(previous, "False", "InvalidSpec", e.getMessage(), state.lastCompleted());
    }
    var ring = tokenMap(ctx);
    var reports = new HashMap<String, RepairProgress>();
    for (var r : state.running()) {
      try {
        reports.put(r.repairId(), ctx.admin().repairStatus(ctx.address(r.pod()), r.repairId()));
      } catch (NodeAdminException e) {
        logger.debug("repair {} on {}: no status now: {}", r.repairId(), r.pod(), e.getMessage());
      }
    }
    var plan =
        RepairPlanner.plan(
            new RepairPlanner.Input(
                Boolean.TRUE.equals(spec.getEnabled()),
                spec.getParallelism() == null ? 1 : spec.getParallelism(),
                deadline,
                schedule.lastTick(ctx.now()),
                Day2Annotations.get(ctx.cluster(), Day2Annotations.REPAIR_NOW),
                state,
                ring,
                busy,
                reports,
                ctx.now()));
    var s = plan.state();
    var running = new ArrayList<>(s.running());
    if (ctx.act()) {
      for (var start : plan.starts()) {
        try {
          var started =
              ctx.admin()
                  .startRepair(ctx.address(start.pod()), start.ranges(), spec.getIntensity());
          running.add(
              new RepairState.Running(start.pod(), started.repairId(), start.ranges(), ctx.now()));
          logger.info(
              "{}/{}: repair {} of {} range(s) started on {}",
              ctx.namespace(),
              ctx.name(),
              started.repairId(),
              start.ranges().size(),
              start.pod());
        } catch (NodeAdminException e) {
          logger.info(
              "{}/{}: repair on {} not started: {}",
              ctx.namespace(),
              ctx.name(),
              start.pod(),
              e.getMessage());
        }
      }
      var events = new ClusterEvents(ctx.client(), ctx.cluster(), ctx.now());
      // rounds starting and ending, and re-plans after a ring change: what on call looks for;
      // single repairs ending would be one event per replica set
      for (var change : plan.changes()) {
        if (change.contains("round") || change.startsWith("ring changed")) {
          events.normal("RepairRound", change, change);
        }
      }
      if ("False".equals(plan.health())) {
        events.warning("RepairDeadlineAtRisk", String.valueOf(s.round()), plan.message());
      }
    }
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
    return new Outcome(
        RepairStatusMapper.toStatus(next),
        plan.health(),
        plan.reason(),
        plan.message(),
        next.lastCompleted());
  }

  private static TokenMap tokenMap(Day2Context ctx) {
    for (var pod : ctx.runningPods()) {
      try {
        return ctx.admin().tokenMap(ctx.address(pod));
      } catch (NodeAdminException e) {
        logger.debug("token map from {}: {}", pod, e.getMessage());
      }
    }
    return null;
  }
}
