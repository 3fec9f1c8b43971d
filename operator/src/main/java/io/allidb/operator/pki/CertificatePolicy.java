package io.allidb.operator.pki;

import java.time.Duration;

/**
 * Lifetimes of operator-issued certificates. Both renew at two thirds of their lifetime.
 *
 * @param leafLifetime from {@code spec.tls.certificateLifetime}, default {@link #DEFAULT_LEAF}
 * @param caLifetime the CAs' validity; renewed with the same key, so long lifetimes cost nothing
 */
public record CertificatePolicy(Duration leafLifetime, Duration caLifetime) {
  public static final Duration DEFAULT_LEAF = Duration.ofDays(90);
  public static final Duration DEFAULT_CA = Duration.ofDays(5 * 365);

  public CertificatePolicy {
    if (leafLifetime.compareTo(Duration.ofHours(1)) < 0) {
      throw new IllegalArgumentException(
          "spec.tls.certificateLifetime must be at least 1h; got " + leafLifetime);
    }
    if (caLifetime.compareTo(leafLifetime) <= 0) {
      throw new IllegalArgumentException("the CA lifetime must exceed the leaf lifetime");
    }
  }
}
