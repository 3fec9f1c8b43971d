package io.allidb.operator.pki;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A certificate and its private key. {@link #toString()} leaves the key out.
 *
 * @param key null when only the certificate is known (a CA whose key the operator does not hold)
 */
public record IssuedCertificate(X509Certificate certificate, PrivateKey key) {
  public IssuedCertificate {
    Objects.requireNonNull(certificate, "certificate");
  }

  public Instant notBefore() {
    return certificate.getNotBefore().toInstant();
  }

  public Instant notAfter() {
    return certificate.getNotAfter().toInstant();
  }

  public Duration lifetime() {
    return Duration.between(notBefore(), notAfter());
  }

  /** Renewal is due once two thirds of the lifetime have passed (cert-manager's default too). */
  public Instant renewAt() {
    return notBefore().plus(lifetime().multipliedBy(2).dividedBy(3));
  }

  public boolean renewalDue(Instant now) {
    return !now.isBefore(renewAt());
  }

  public boolean expired(Instant now) {
    return !now.isBefore(notAfter());
  }

  /** Whether {@code issuer}'s key signed this certificate. */
  public boolean signedBy(IssuedCertificate issuer) {
    try {
      certificate.verify(issuer.certificate().getPublicKey());
      return true;
    } catch (java.security.GeneralSecurityException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return "IssuedCertificate["
        + certificate.getSubjectX500Principal().getName()
        + ", until "
        + notAfter()
        + "]";
  }
}
