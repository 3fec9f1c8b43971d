package io.allidb.operator.pki;

import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.operator.TestingClock;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every state transition of the certificate planner on a hand-moved clock. Each step stores the
 * plan the way the operator does (through the Secret layouts) and reads it back, so what survives
 * an operator restart is what the next step sees.
 */
class CertificatePlannerTest {
  private static final Duration LEAF = Duration.ofDays(90);
  private static final Duration CA = Duration.ofDays(1000);
  private static final CertificatePolicy POLICY = new CertificatePolicy(LEAF, CA);

  private final TestingClock clock = new TestingClock(Instant.parse("2026-01-01T00:00:00Z"));
  private Secret caSecret;
  private Secret tlsSecret;
  private Map<String, List<String>> pods;
  private boolean acked;
  private String rotation;

  @BeforeEach
  void threePods() {
    pods = new LinkedHashMap<>();
    for (int i = 0; i < 3; i++) {
      pods.put("db-a-" + i, List.of("db-a-" + i, "db-a-" + i + ".db-nodes.ns.svc", "db"));
    }
  }

  private CertificatePlanner.Plan step() {
    var material = TlsSecrets.readMaterial(tlsSecret);
    var plan =
        CertificatePlanner.plan(
            new CertificatePlanner.Input(
                "db internode CA",
                TlsSecrets.readCa(caSecret),
                material,
                pods,
                acked,
                rotation,
                clock.instant(),
                POLICY));
    caSecret =
        new SecretBuilder()
            .withNewMetadata()
            .withName("db-internode-ca")
            .withAnnotations(TlsSecrets.caAnnotations(plan.ca()))
            .endMetadata()
            .withData(TlsSecrets.caData(plan.ca()))
            .build();
    long generation = material.generation() + (plan.materialChanged() ? 1 : 0);
    tlsSecret =
        new SecretBuilder()
            .withNewMetadata()
            .withName("db-internode-tls")
            .endMetadata()
            .withData(
                TlsSecrets.materialData(new TlsMaterial(plan.bundle(), plan.leaves(), generation)))
            .build();
    return plan;
  }

  private TlsMaterial stored() {
    return TlsSecrets.readMaterial(tlsSecret);
  }

  @Test
  void firstReconcileCreatesTheCaAndALeafPerPodWithItsNames() throws Exception {
    var plan = step();

    assertThat(plan.caChanged()).isTrue();
    assertThat(plan.materialChanged()).isTrue();
    assertThat(stored().bundle()).containsExactly(plan.ca().active().certificate());
    assertThat(stored().leaves()).containsOnlyKeys("db-a-0", "db-a-1", "db-a-2");
    var leaf = stored().leaves().get("db-a-1");
    assertThat(leaf.signedBy(plan.ca().active())).isTrue();
    assertThat(CertificateNames.dnsNames(leaf.certificate()))
        .containsExactly("db-a-1", "db-a-1.db-nodes.ns.svc", "db");
    assertThat(leaf.notAfter()).isEqualTo(clock.instant().plus(LEAF));
    assertThat(stored().generation()).isEqualTo(1);
  }

  @Test
  void aSecondReconcileChangesNothing() {
    step();
    clock.advance(Duration.ofDays(1));

    var plan = step();

    assertThat(plan.changes()).isEmpty();
    assertThat(plan.caChanged()).isFalse();
    assertThat(plan.materialChanged()).isFalse();
    assertThat(stored().generation()).isEqualTo(1);
  }

  @Test
  void leavesRenewAtTwoThirdsOfTheirLifetime() {
    step();
    var before = stored().leaves().get("db-a-0");
    clock.advance(Duration.ofDays(60).minusMinutes(10)); // 2/3 of 90d, less the 5 min backdate

    assertThat(step().materialChanged()).isFalse();
    clock.advance(Duration.ofMinutes(10));
    var plan = step();

    assertThat(plan.materialChanged()).isTrue();
    assertThat(plan.caChanged()).isFalse();
    var after = stored().leaves().get("db-a-0");
    assertThat(after.certificate()).isNotEqualTo(before.certificate());
    assertThat(after.notAfter()).isEqualTo(clock.instant().plus(LEAF));
    assertThat(plan.changes()).anyMatch(c -> c.contains("two thirds"));
  }

  @Test
  void aCaNearExpiryRenewsWithTheSameKeySoLeavesStayTrusted() {
    var first = step().ca().active();
    var leafBefore = stored().leaves().get("db-a-0");
    clock.advance(CA.multipliedBy(2).dividedBy(3));

    var plan = step();

    var renewed = plan.ca().active();
    assertThat(renewed.certificate()).isNotEqualTo(first.certificate());
    assertThat(CertificateAuthority.sameKey(renewed.certificate(), first.certificate())).isTrue();
    assertThat(renewed.certificate().getSubjectX500Principal())
        .isEqualTo(first.certificate().getSubjectX500Principal());
    assertThat(plan.ca().phase()).isEqualTo(CaPhase.STEADY);
    assertThat(stored().bundle()).containsExactly(renewed.certificate());
    // an old leaf (re-issued here for its own age) would verify against the renewed CA
    assertThat(leafBefore.signedBy(renewed)).isTrue();
  }

  @Test
  void caKeyReplacementAdvancesOnlyWhenEveryNodeReportsTheGeneration() {
    var oldCa = step().ca().active();
    var oldLeaf = stored().leaves().get("db-a-0");
    rotation = "r1";
    acked = false;

    // 1. the new CA joins the bundle; leaves stay
    var plan = step();
    assertThat(plan.ca().phase()).isEqualTo(CaPhase.TRUST_NEW);
    var newCa = plan.ca().next();
    assertThat(CertificateAuthority.sameKey(newCa.certificate(), oldCa.certificate())).isFalse();
    assertThat(stored().bundle()).containsExactly(oldCa.certificate(), newCa.certificate());
    assertThat(stored().leaves().get("db-a-0")).isEqualTo(oldLeaf);
    assertThat(stored().generation()).isEqualTo(2);

    // not every node has reloaded: nothing moves
    clock.advance(Duration.ofMinutes(5));
    assertThat(step().changes()).isEmpty();
    assertThat(TlsSecrets.readCa(caSecret).phase()).isEqualTo(CaPhase.TRUST_NEW);

    // 2. every node trusts both: leaves from the new CA, old CA still trusted
    acked = true;
    plan = step();
    assertThat(plan.ca().phase()).isEqualTo(CaPhase.SIGN_WITH_NEW);
    assertThat(plan.ca().active().certificate()).isEqualTo(newCa.certificate());
    assertThat(stored().bundle()).containsExactly(newCa.certificate(), oldCa.certificate());
    assertThat(stored().leaves().values()).allMatch(l -> l.signedBy(newCa));
    assertThat(stored().generation()).isEqualTo(3);

    // 3. every node uses the new leaves: the old CA goes
    plan = step();
    assertThat(plan.ca().phase()).isEqualTo(CaPhase.STEADY);
    assertThat(stored().bundle()).containsExactly(newCa.certificate());
    assertThat(stored().generation()).isEqualTo(4);

    // the same request token is not acted on twice
    assertThat(step().changes()).isEmpty();
  }

  @Test
  void signWithNewWaitsForTheAcknowledgementOfTheNewLeaves() {
    step();
    rotation = "r1";
    acked = true;
    step(); // TrustNew
    acked = true;
    step(); // SignWithNew, leaves re-issued in generation 3
    acked = false; // nodes still on generation 2

    var plan = step();

    assertThat(plan.ca().phase()).isEqualTo(CaPhase.SIGN_WITH_NEW);
    assertThat(stored().bundle()).hasSize(2);
  }

  @Test
  void alreadyExpiredCertificatesAreRecoveredInOneReconcile() throws Exception {
    var ca = step().ca().active();
    clock.advance(CA.plusDays(30)); // the operator was gone past every expiry

    var plan = step();

    var renewed = plan.ca().active();
    assertThat(CertificateAuthority.sameKey(renewed.certificate(), ca.certificate())).isTrue();
    assertThat(renewed.expired(clock.instant())).isFalse();
    for (var leaf : stored().leaves().values()) {
      assertThat(leaf.expired(clock.instant())).isFalse();
      assertThat(leaf.signedBy(renewed)).isTrue();
      leaf.certificate().checkValidity(java.util.Date.from(clock.instant()));
    }
    assertThat(plan.changes()).anyMatch(c -> c.contains("renewed expired CA"));
  }

  @Test
  void aLostCaKeyStartsANewCaWhileStillTrustingTheOldOne() {
    step();
    var oldBundle = stored().bundle();
    caSecret = null; // someone deleted the CA Secret

    var plan = step();

    assertThat(plan.ca().phase()).isEqualTo(CaPhase.SIGN_WITH_NEW);
    assertThat(stored().bundle()).hasSize(2).containsAll(oldBundle);
    assertThat(stored().leaves().values()).allMatch(l -> l.signedBy(plan.ca().active()));
    acked = true;
    assertThat(step().ca().phase()).isEqualTo(CaPhase.STEADY);
    assertThat(stored().bundle()).doesNotContainAnyElementsOf(oldBundle);
  }

  @Test
  void podsComingAndGoingGetAndLoseTheirLeaves() {
    step();
    pods.remove("db-a-2");
    pods.put("db-a-3", List.of("db-a-3"));

    var plan = step();

    assertThat(stored().leaves()).containsOnlyKeys("db-a-0", "db-a-1", "db-a-3");
    assertThat(plan.changes())
        .anyMatch(c -> c.contains("db-a-3") && c.contains("new pod"))
        .anyMatch(c -> c.contains("removed certificate of db-a-2"));
  }

  @Test
  void aLeafNeverOutlivesItsCa() {
    var ca = CertificateAuthority.create("short CA", clock.instant(), Duration.ofDays(10));

    var leaf = CertificateAuthority.issue(ca, List.of("x"), clock.instant(), Duration.ofDays(90));

    assertThat(leaf.notAfter()).isEqualTo(ca.notAfter());
  }

  @Test
  void changedNamesReissueTheLeaf() {
    step();
    pods.put("db-a-0", List.of("db-a-0", "extra.example"));

    var plan = step();

    assertThat(plan.changes()).containsExactly("issued certificate for db-a-0 (names changed)");
  }
}
