package io.allidb.operator.pki;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the pods of one purpose mount: the trust bundle, each pod's leaf and key, and the generation
 * the nodes report back once they loaded it.
 */
public record TlsMaterial(
    List<X509Certificate> bundle, Map<String, IssuedCertificate> leaves, long generation) {
  public TlsMaterial {
    bundle = List.copyOf(bundle);
    leaves = java.util.Collections.unmodifiableMap(new TreeMap<>(leaves));
  }

  public static TlsMaterial empty() {
    return new TlsMaterial(List.of(), Map.of(), 0);
  }
}
