package io.allidb.operator.keys;

import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.operator.TestingClock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * API-key rotation on a hand-moved clock, with three simulated nodes that each hold the key set of
 * the generation they last loaded and check keys the way the data plane does (hash and expiry). At
 * every step, the key each tenant's applications read from their Secret must work on every node:
 * zero failed requests during rotation; and a retired key must be refused after the overlap.
 */
class KeyRotationPlannerTest {
  private static final Duration LIFETIME = Duration.ofDays(30);
  private static final Duration PERIOD = Duration.ofDays(20);

  private final TestingClock clock = new TestingClock(Instant.parse("2026-01-01T00:00:00Z"));
  private NodeKeySet stored = NodeKeySet.empty();
  private Map<String, TenantKeys> secrets = new HashMap<>();
  private final Map<String, NodeKeySet> nodes = new HashMap<>();
  private List<KeyRotationPlanner.TenantPolicy> tenants =
      List.of(
          new KeyRotationPlanner.TenantPolicy("acme", LIFETIME, PERIOD),
          new KeyRotationPlanner.TenantPolicy("globex", null, null));
  private String request;

  KeyRotationPlannerTest() {
    for (var n : List.of("n0", "n1", "n2")) {
      nodes.put(n, NodeKeySet.empty());
    }
  }

  private boolean acked() {
    return nodes.values().stream().allMatch(n -> n.generation() >= stored.generation());
  }

  private KeyRotationPlanner.Plan step() {
    var plan =
        KeyRotationPlanner.plan(
            new KeyRotationPlanner.Input(
                tenants, stored, secrets, acked(), request, clock.instant()));
    // what the operator writes, read back as it would be after a restart
    stored = NodeKeySet.parse(plan.keySet().render(), "keys", plan.keySet().handledRotation());
    secrets = new HashMap<>(plan.tenantKeys());
    assertClientsWork();
    return plan;
  }

  /** Nodes load the stored generation (the kubelet synced the Secret, the node reloaded). */
  private void nodesReload(String... which) {
    for (var n : which.length == 0 ? nodes.keySet().toArray(String[]::new) : which) {
      nodes.put(n, stored);
    }
    assertClientsWork();
  }

  private void assertClientsWork() {
    for (var e : secrets.entrySet()) {
      var key = e.getValue().current();
      if (key == null) {
        continue;
      }
      for (var node : nodes.entrySet()) {
        assertThat(accepts(node.getValue(), key, e.getKey()))
            .as("%s's current key on %s at %s", e.getKey(), node.getKey(), clock.instant())
            .isTrue();
      }
    }
  }

  /** The data plane's check: a line with this id and hash, for this tenant, not expired. */
  private boolean accepts(NodeKeySet set, String presented, String tenant) {
    var probe = KeyLine.of(presented, tenant, null);
    return set.lines().stream()
        .anyMatch(
            l ->
                l.id().equals(probe.id())
                    && java.util.Arrays.equals(l.secretSha256(), probe.secretSha256())
                    && l.tenant().equals(tenant)
                    && (l.expires() == null || clock.instant().isBefore(l.expires())));
  }

  @Test
  void aNewKeyReachesApplicationsOnlyAfterEveryNodeHasIt() {
    var plan = step();

    assertThat(plan.keySetChanged()).isTrue();
    assertThat(stored.generation()).isEqualTo(1);
    assertThat(secrets.get("acme").current()).isNull();
    assertThat(secrets.get("acme").pending()).isNotNull();
    assertThat(stored.lines()).hasSize(2);
    assertThat(stored.render()).doesNotContain(secrets.get("acme").pending().split("\\.")[1]);

    nodesReload("n0", "n1"); // n2 not yet
    step();
    assertThat(secrets.get("acme").current()).isNull();

    nodesReload();
    plan = step();
    assertThat(secrets.get("acme").current()).isNotNull();
    assertThat(secrets.get("acme").pending()).isNull();
    assertThat(plan.keySetChanged()).isFalse();
    assertThat(plan.changes()).anyMatch(c -> c.contains("published"));
  }

  @Test
  void rotationKeepsEveryClientWorkingAndRefusesTheOldKeyAfterTheOverlap() {
    step();
    nodesReload();
    step();
    var first = secrets.get("acme").current();
    assertThat(
            stored.lines().stream()
                .filter(l -> l.tenant().equals("acme"))
                .findFirst()
                .orElseThrow()
                .expires())
        .isEqualTo(clock.instant().plus(LIFETIME));

    clock.advance(PERIOD.minusSeconds(1));
    assertThat(step().changes()).isEmpty();
    clock.advance(Duration.ofSeconds(1));
    var plan = step();
    assertThat(plan.changes()).anyMatch(c -> c.startsWith("acme: new key"));
    assertThat(secrets.get("acme").current()).isEqualTo(first); // clients keep the old one

    clock.advance(Duration.ofMinutes(1));
    nodesReload();
    step();
    var second = secrets.get("acme").current();
    assertThat(second).isNotEqualTo(first);
    // a client that has not re-read its Secret yet still gets in during the overlap
    nodesReload();
    for (var n : nodes.values()) {
      assertThat(accepts(n, first, "acme")).isTrue();
    }

    clock.advance(LIFETIME.minus(PERIOD)); // the overlap
    for (var n : nodes.values()) {
      assertThat(accepts(n, first, "acme")).as("old key after the overlap").isFalse();
      assertThat(accepts(n, second, "acme")).isTrue();
    }
    plan = step();
    assertThat(plan.changes()).anyMatch(c -> c.contains("removed (expired"));
    assertThat(stored.lines()).noneMatch(l -> l.id().equals(TenantKeys.idOf(first)));
  }

  /**
   * A lifetime lengthened in the spec does not lengthen a key already issued (its line keeps its
   * expiry): the key is replaced by its own expiry, not the new policy's, or it would expire with
   * no successor and applications would be refused.
   */
  @Test
  void aKeyIssuedUnderAShorterLifetimeIsReplacedBeforeItExpires() {
    step();
    nodesReload();
    step();
    var first = secrets.get("acme").current();
    tenants =
        List.of(
            new KeyRotationPlanner.TenantPolicy("acme", LIFETIME.multipliedBy(3), null),
            tenants.get(1));

    clock.advance(LIFETIME.multipliedBy(2).dividedBy(3));
    var plan = step();
    assertThat(plan.changes()).anyMatch(c -> c.startsWith("acme: new key"));
    nodesReload();
    step();
    assertThat(secrets.get("acme").current()).isNotEqualTo(first);
    clock.advance(LIFETIME.dividedBy(3));
    nodesReload();
    step(); // the current key works on every node: step() checks it
  }

  @Test
  void anAnnotationRotatesEveryTenantOnce() {
    step();
    nodesReload();
    step();
    var globexFirst = secrets.get("globex").current();
    request = "2026-01-02";

    var plan = step();
    assertThat(plan.changes()).filteredOn(c -> c.contains("rotation requested")).hasSize(2);
    assertThat(stored.handledRotation()).isEqualTo("2026-01-02");
    nodesReload();
    step();
    assertThat(secrets.get("globex").current()).isNotEqualTo(globexFirst);
    // without a lifetime the previous key gets the default overlap
    var old =
        stored.lines().stream()
            .filter(l -> l.id().equals(TenantKeys.idOf(globexFirst)))
            .findFirst()
            .orElseThrow();
    assertThat(old.expires()).isEqualTo(clock.instant().plus(KeyRotationPlanner.DEFAULT_OVERLAP));

    nodesReload();
    assertThat(step().changes()).isEmpty(); // the same token is not acted on twice
  }

  @Test
  void aTenantLeavingTheSpecLosesItsKeysAtOnce() {
    step();
    nodesReload();
    step();
    tenants = List.of(tenants.get(0));

    var plan = step();

    assertThat(stored.lines()).allMatch(l -> l.tenant().equals("acme"));
    assertThat(plan.changes())
        .anyMatch(c -> c.contains("globex") && c.contains("no longer in the spec"));
  }

  @Test
  void aLostKeySetIsRebuiltFromTheTenantSecretsWithoutCuttingClientsOff() {
    step();
    nodesReload();
    step();
    stored = new NodeKeySet(stored.generation(), List.of(), null); // someone emptied the Secret

    var plan = step();

    assertThat(plan.changes()).anyMatch(c -> c.contains("re-added"));
    nodesReload();
    assertClientsWork();
  }
}
