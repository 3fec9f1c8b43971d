package io.allidb.operator.day2;

import io.allidb.operator.api.AlliClusterSpec;
import io.allidb.operator.model.GoDuration;
import io.allidb.operator.repair.RepairSchedule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Spec checks of the day-2 fields that the CRD schema cannot express: Go durations, their
 * relations, the cron schedule, and the repair deadline against gc_grace.
 */
public final class Day2Validation {
  /** The data plane's default gc_grace ({@code StorageOptions}): 10 days. */
  public static final Duration DEFAULT_GC_GRACE = Duration.ofDays(10);

  /** Node config key of gc_grace, when the user overrides it. */
  public static final String GC_GRACE_KEY = "storage.gc-grace";

  private Day2Validation() {}

  public static List<String> validate(AlliClusterSpec spec) {
    var problems = new ArrayList<String>();
    var tls = spec.getTls();
    if (tls != null && tls.getCertificateLifetime() != null) {
      check(
          problems,
          () -> {
            var d = GoDuration.parse(tls.getCertificateLifetime(), "spec.tls.certificateLifetime");
            if (d.compareTo(Duration.ofHours(1)) < 0) {
              problems.add(
                  "spec.tls.certificateLifetime must be at least 1h; got "
                      + tls.getCertificateLifetime());
            }
          });
    }
    if (spec.getAuth() != null) {
      for (var t : spec.getAuth().getTenants()) {
        var field = "spec.auth.tenants[" + t.getName() + "]";
        check(
            problems,
            () -> {
              var life =
                  t.getKeyLifetime() == null
                      ? null
                      : GoDuration.parse(t.getKeyLifetime(), field + ".keyLifetime");
              var period =
                  t.getRotationPeriod() == null
                      ? null
                      : GoDuration.parse(t.getRotationPeriod(), field + ".rotationPeriod");
              if (life != null && period != null && period.compareTo(life) >= 0) {
                problems.add(
                    field
                        + ".rotationPeriod ("
                        + t.getRotationPeriod()
                        + ") must be shorter than keyLifetime ("
                        + t.getKeyLifetime()
                        + "): the difference is the overlap in which both keys work");
              }
            });
      }
    }
    var repair = spec.getRepair();
    if (repair != null) {
      check(problems, () -> RepairSchedule.parse(repair.getSchedule()));
      check(
          problems,
          () -> {
            var deadline = GoDuration.parse(repair.getDeadline(), "spec.repair.deadline");
            var grace = gcGrace(spec);
            if (deadline.compareTo(grace) >= 0) {
              problems.add(
                  "spec.repair.deadline ("
                      + repair.getDeadline()
                      + ") must be shorter than gc_grace ("
                      + GoDuration.human(grace)
                      + "): a replica that missed a delete must be repaired before the"
                      + " tombstone may be dropped");
            }
          });
      if (repair.getIntensity() != null
          && (repair.getIntensity() <= 0 || repair.getIntensity() > 1)) {
        problems.add("spec.repair.intensity must be in (0, 1]; got " + repair.getIntensity());
      }
      if (repair.getParallelism() != null && repair.getParallelism() < 1) {
        problems.add("spec.repair.parallelism must be >= 1; got " + repair.getParallelism());
      }
    }
    return problems;
  }

  /** gc_grace the nodes use: {@value #GC_GRACE_KEY} in spec.config, or the data plane default. */
  public static Duration gcGrace(AlliClusterSpec spec) {
    var value = spec.getConfig() == null ? null : spec.getConfig().get(GC_GRACE_KEY);
    return value == null
        ? DEFAULT_GC_GRACE
        : GoDuration.parse(value, "spec.config." + GC_GRACE_KEY);
  }

  private static void check(List<String> problems, Runnable r) {
    try {
      r.run();
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
    }
  }
}
