package io.allidb.operator.pki;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * One purpose's CA as stored in its CA Secret ({@link TlsSecrets}).
 *
 * @param active signs leaves; always with its key
 * @param next the replacement CA during {@link CaPhase#TRUST_NEW}, else null
 * @param retired CAs no longer signing but still trusted during {@link CaPhase#SIGN_WITH_NEW}
 * @param handledRotation the last rotation request token acted on (annotation value), or null
 */
public record CaState(
    IssuedCertificate active,
    IssuedCertificate next,
    List<X509Certificate> retired,
    CaPhase phase,
    String handledRotation) {
  public CaState {
    Objects.requireNonNull(active, "active");
    Objects.requireNonNull(phase, "phase");
    retired = List.copyOf(retired);
    if ((phase == CaPhase.TRUST_NEW) != (next != null)) {
      throw new IllegalArgumentException("a next CA exists exactly during TrustNew");
    }
  }

  public static CaState steady(IssuedCertificate active, String handledRotation) {
    return new CaState(active, null, List.of(), CaPhase.STEADY, handledRotation);
  }

  /** What the pods must trust in this state: the active CA, plus next or retired ones. */
  public List<X509Certificate> trustBundle() {
    var out = new java.util.ArrayList<X509Certificate>();
    out.add(active.certificate());
    if (next != null) {
      out.add(next.certificate());
    }
    out.addAll(retired);
    return List.copyOf(out);
  }
}
