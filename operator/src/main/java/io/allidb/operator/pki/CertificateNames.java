package io.allidb.operator.pki;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Subject alternative names, read the way the node's {@code PeerNames} reads them. */
final class CertificateNames {
  private static final int SAN_DNS = 2;

  private CertificateNames() {}

  /** DNS names, lower-cased, in certificate order. */
  static List<String> dnsNames(X509Certificate cert) throws CertificateParsingException {
    var out = new ArrayList<String>();
    var sans = cert.getSubjectAlternativeNames();
    if (sans != null) {
      for (var san : sans) {
        if ((Integer) san.get(0) == SAN_DNS && san.get(1) instanceof String s) {
          out.add(s.toLowerCase(Locale.ROOT));
        }
      }
    }
    return out;
  }
}
