package io.allidb.operator.day2;

import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.operator.AlliClusters;
import io.allidb.operator.api.TenantSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The day-2 spec checks name the field, the value and the rule. */
class Day2ValidationTest {
  @Test
  void theDefaultsAreValid() {
    assertThat(Day2Validation.validate(AlliClusters.withReplicas(3).getSpec())).isEmpty();
  }

  @Test
  void repairDeadlineMustBeShorterThanGcGrace() {
    var spec = AlliClusters.withReplicas(3).getSpec();
    spec.getRepair().setDeadline("240h");

    assertThat(Day2Validation.validate(spec))
        .singleElement()
        .satisfies(
            p ->
                assertThat(p)
                    .contains("spec.repair.deadline (240h) must be shorter than gc_grace (10d0h)"));

    spec.setConfig(Map.of(Day2Validation.GC_GRACE_KEY, "480h"));
    assertThat(Day2Validation.validate(spec)).isEmpty();
  }

  @Test
  void badDurationsCronAndRotationAreNamed() {
    var spec = AlliClusters.withReplicas(3).getSpec();
    spec.getRepair().setSchedule("at two");
    spec.getTls().setCertificateLifetime("90d");
    var tenant = new TenantSpec("acme");
    tenant.setKeyLifetime("720h");
    tenant.setRotationPeriod("720h");
    spec.getAuth().setTenants(List.of(tenant));

    assertThat(Day2Validation.validate(spec))
        .anyMatch(
            p ->
                p.contains("spec.repair.schedule must be a 5-field cron expression")
                    && p.contains("'at two'"))
        .anyMatch(
            p ->
                p.contains("spec.tls.certificateLifetime must be a Go duration")
                    && p.contains("'90d'"))
        .anyMatch(
            p ->
                p.contains(
                    "spec.auth.tenants[acme].rotationPeriod (720h) must be shorter than keyLifetime"));
  }
}
