package io.allidb.operator.repair;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * {@code spec.repair.schedule}: a five-field Unix cron expression in UTC, parsed by cron-utils.
 * Thread-safe.
 */
public final class RepairSchedule {
  private static final CronParser PARSER =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  private final ExecutionTime times;

  private RepairSchedule(ExecutionTime times) {
    this.times = times;
  }

  /**
   * @throws IllegalArgumentException naming the field and what cron-utils found wrong
   */
  public static RepairSchedule parse(String expression) {
    try {
      return new RepairSchedule(ExecutionTime.forCron(PARSER.parse(expression)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "spec.repair.schedule must be a 5-field cron expression (minute hour day month weekday, UTC);"
              + " got '"
              + expression
              + "': "
              + e.getMessage());
    }
  }

  /** The latest scheduled instant at or before {@code now}, or null. */
  public Instant lastTick(Instant now) {
    var at = now.atZone(ZoneOffset.UTC);
    if (times.isMatch(at.withSecond(0).withNano(0)) && !at.withSecond(0).withNano(0).isAfter(at)) {
      return at.withSecond(0).withNano(0).toInstant();
    }
    return times.lastExecution(at).map(z -> z.toInstant()).orElse(null);
  }

  /** The next scheduled instant after {@code now}, or null. */
  public Instant nextTick(Instant now) {
    return times.nextExecution(now.atZone(ZoneOffset.UTC)).map(z -> z.toInstant()).orElse(null);
  }
}
