package io.allidb.operator.pki;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Validation of user-provided certificates and the expiry report, each problem named. */
class CertificateChecksTest {
  private final Instant now = Instant.parse("2026-06-01T00:00:00Z");

  private static Secret secret(
      IssuedCertificate leaf, java.security.PrivateKey key, IssuedCertificate... cas) {
    var caCerts = java.util.Arrays.stream(cas).map(IssuedCertificate::certificate).toList();
    return new SecretBuilder()
        .withNewMetadata()
        .withName("mine")
        .endMetadata()
        .addToData("tls.crt", TlsSecrets.b64(Pem.certificates(List.of(leaf.certificate()))))
        .addToData("tls.key", TlsSecrets.b64(Pem.privateKey(key)))
        .addToData("ca.crt", TlsSecrets.b64(Pem.certificates(caCerts)))
        .build();
  }

  @Test
  void aGoodInternodeCertificatePasses() {
    var ca = CertificateAuthority.create("ca", now, Duration.ofDays(365));
    var leaf =
        CertificateAuthority.issue(
            ca,
            List.of("db-a-0.db-nodes.ns.svc", "db-a-1.db-nodes.ns.svc"),
            now,
            Duration.ofDays(30));

    var result =
        UserCertificateValidator.validate(
            secret(leaf, leaf.key(), ca),
            "mine",
            TlsPurpose.INTERNODE,
            List.of("db-a-0", "db-a-1"),
            now);

    assertThat(result.problems()).isEmpty();
  }

  @Test
  void everyProblemIsNamed() {
    var ca = CertificateAuthority.create("ca", now.minus(Duration.ofDays(9)), Duration.ofDays(10));
    var other = CertificateAuthority.create("other", now, Duration.ofDays(365));
    var leaf =
        CertificateAuthority.issue(other, List.of("*.db-nodes.ns.svc"), now, Duration.ofDays(30));
    var wrongKey = CertificateAuthority.issue(other, List.of("x"), now, Duration.ofDays(1)).key();

    var problems =
        UserCertificateValidator.validate(
                secret(leaf, wrongKey, ca), "mine", TlsPurpose.INTERNODE, List.of("db-a-0"), now)
            .problems();

    assertThat(problems)
        .anyMatch(p -> p.contains("tls.key does not belong to tls.crt"))
        .anyMatch(p -> p.contains("not signed by any CA in ca.crt"))
        .anyMatch(p -> p.contains("does not name [db-a-0]"));
  }

  @Test
  void aLeafOutlivingItsCaIsReported() {
    var longCa = CertificateAuthority.create("ca", now, Duration.ofDays(100));
    var leaf = CertificateAuthority.issue(longCa, List.of("db"), now, Duration.ofDays(50));
    // the same CA key, re-signed for a shorter life than the leaf it signed
    var shortCa = CertificateAuthority.renew(longCa, now, Duration.ofDays(10));

    var problems =
        UserCertificateValidator.validate(
                secret(leaf, leaf.key(), shortCa), "mine", TlsPurpose.CLIENT, List.of("db"), now)
            .problems();

    assertThat(problems).singleElement().satisfies(p -> assertThat(p).contains("outlives its CA"));
  }

  @Test
  void missingKeysAndSecretsAreNamed() {
    assertThat(
            UserCertificateValidator.validate(null, "mine", TlsPurpose.CLIENT, List.of("db"), now)
                .problems())
        .containsExactly("Secret mine does not exist");
    var empty =
        new SecretBuilder()
            .withNewMetadata()
            .withName("mine")
            .endMetadata()
            .addToData("tls.crt", "")
            .build();
    assertThat(
            UserCertificateValidator.validate(empty, "mine", TlsPurpose.CLIENT, List.of("db"), now)
                .problems())
        .containsExactly("Secret mine has no tls.key", "Secret mine has no ca.crt");
  }

  @Test
  void expiryReportWarnsAtThresholdsAndTurnsFalseWhenExpired() {
    var in20d = new CertificateExpiry.Tracked("internode/db-a-0", now.plus(Duration.ofDays(20)));
    var in10d = new CertificateExpiry.Tracked("client/ca", now.plus(Duration.ofDays(10)));
    var in12h = new CertificateExpiry.Tracked("client/db-a-1", now.plus(Duration.ofHours(12)));
    var gone = new CertificateExpiry.Tracked("internode/ca", now.minusSeconds(1));

    var valid = CertificateExpiry.report(List.of(in20d), List.of(), now);
    assertThat(valid.valid()).isTrue();
    assertThat(valid.reason()).isEqualTo("Valid");
    assertThat(valid.message()).contains("internode/db-a-0 in 20d0h");
    assertThat(valid.warnings()).isEmpty();

    var soon = CertificateExpiry.report(List.of(in20d, in10d, in12h), List.of(), now);
    assertThat(soon.valid()).isTrue();
    assertThat(soon.reason()).isEqualTo("ExpiringSoon");
    assertThat(soon.warnings())
        .extracting(CertificateExpiry.Warning::message)
        .anyMatch(m -> m.contains("client/ca") && m.contains("under 14d"))
        .anyMatch(m -> m.contains("client/db-a-1") && m.contains("under 1d"));

    var expired = CertificateExpiry.report(List.of(in20d, gone), List.of(), now);
    assertThat(expired.valid()).isFalse();
    assertThat(expired.reason()).isEqualTo("Expired");
    assertThat(expired.warnings()).anyMatch(w -> w.reason().equals("CertificateExpired"));
  }
}
