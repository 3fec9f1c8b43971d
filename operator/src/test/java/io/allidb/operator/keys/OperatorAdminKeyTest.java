package io.allidb.operator.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The operator's admin key: kept, minted when missing, and a replaced key's line phased out. */
class OperatorAdminKeyTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void mintsAKeyWithTheAdminScopeWhenTheSecretHasNone() {
    var plan = OperatorAdminKey.plan(List.of(), null, T0);
    assertThat(plan.key()).startsWith("allidb-operator-");
    assertThat(plan.lines())
        .singleElement()
        .satisfies(
            l -> {
              assertThat(l.id()).isEqualTo(TenantKeys.idOf(plan.key()));
              assertThat(l.format()).endsWith(" tenant=allidb-operator scopes=admin");
            });
    assertThat(OperatorAdminKey.plan(plan.lines(), plan.key(), T0.plusSeconds(60)))
        .as("steady: nothing changes")
        .satisfies(
            p -> {
              assertThat(p.lines()).isEqualTo(plan.lines());
              assertThat(p.changes()).isEmpty();
            });
  }

  @Test
  void aDeletedSecretRotatesTheKeyAndTheOldLineExpiresAfterTheOverlap() {
    var first = OperatorAdminKey.plan(List.of(), null, T0);
    var second = OperatorAdminKey.plan(first.lines(), null, T0.plusSeconds(10));
    assertThat(second.key()).isNotEqualTo(first.key());
    var oldId = TenantKeys.idOf(first.key());
    var until = T0.plusSeconds(10).plus(KeyRotationPlanner.DEFAULT_OVERLAP);
    assertThat(second.lines())
        .extracting(KeyLine::id, KeyLine::expires)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(TenantKeys.idOf(second.key()), null),
            org.assertj.core.groups.Tuple.tuple(oldId, until));
    var later =
        OperatorAdminKey.plan(second.lines(), second.key(), until.plus(Duration.ofSeconds(1)));
    assertThat(later.lines())
        .extracting(KeyLine::id)
        .containsExactly(TenantKeys.idOf(second.key()));
    assertThat(later.changes()).anyMatch(c -> c.contains(oldId + " removed"));
  }

  @Test
  void aKeyPutInTheSecretByHandIsKeptAndGetsItsLine() {
    var byHand = ApiKeyMinter.mint("ops", T0);
    var plan = OperatorAdminKey.plan(List.of(), byHand, T0);
    assertThat(plan.key()).isEqualTo(byHand);
    assertThat(plan.lines()).extracting(KeyLine::id).containsExactly(TenantKeys.idOf(byHand));
  }
}
