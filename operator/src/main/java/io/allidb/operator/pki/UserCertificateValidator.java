package io.allidb.operator.pki;

import io.fabric8.kubernetes.api.model.Secret;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Checks certificates the user (or cert-manager) provides in a {@code kubernetes.io/tls}-style
 * Secret ({@code tls.crt}, {@code tls.key}, {@code ca.crt}) before nodes meet them, and says what
 * is wrong in words an on-call engineer can act on. The operator never changes these Secrets.
 *
 * <p>Checks: the three keys exist and parse; the key fits the certificate; the leaf chains to a CA
 * in {@code ca.crt}; the leaf does not outlive that CA; nothing has expired or is not yet valid;
 * and the names fit: an internode certificate must name every pod the way the node's peer check
 * reads names (DNS name equal to the pod name or starting with {@code <pod>.}; wildcards do not
 * count), a client certificate must name the client Service.
 */
public final class UserCertificateValidator {
  private UserCertificateValidator() {}

  /** What was found: the parsed certificates (for expiry reporting) and the problems. */
  public record Result(X509Certificate leaf, List<X509Certificate> cas, List<String> problems) {}

  /**
   * @param requiredNames names the certificate must carry (pod names for internode, the Service
   *     name for client)
   */
  public static Result validate(
      Secret secret,
      String secretName,
      TlsPurpose purpose,
      Collection<String> requiredNames,
      Instant now) {
    var problems = new ArrayList<String>();
    if (secret == null || secret.getData() == null) {
      problems.add("Secret " + secretName + " does not exist");
      return new Result(null, List.of(), problems);
    }
    var data = secret.getData();
    for (var key : List.of("tls.crt", "tls.key", "ca.crt")) {
      if (!data.containsKey(key)) {
        problems.add("Secret " + secretName + " has no " + key);
      }
    }
    if (!problems.isEmpty()) {
      return new Result(null, List.of(), problems);
    }
    X509Certificate leaf;
    PrivateKey key;
    List<X509Certificate> cas;
    try {
      leaf =
          Pem.parseCertificates(TlsSecrets.text(data.get("tls.crt")), secretName + "/tls.crt")
              .get(0);
      key = Pem.parsePrivateKey(TlsSecrets.text(data.get("tls.key")), secretName + "/tls.key");
      cas = Pem.parseCertificates(TlsSecrets.text(data.get("ca.crt")), secretName + "/ca.crt");
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
      return new Result(null, List.of(), problems);
    }
    if (!keyFits(leaf, key)) {
      problems.add(secretName + ": tls.key does not belong to tls.crt");
    }
    var issuer = cas.stream().filter(ca -> signed(leaf, ca)).findFirst().orElse(null);
    if (issuer == null) {
      problems.add(secretName + ": tls.crt is not signed by any CA in ca.crt");
    } else if (leaf.getNotAfter().after(issuer.getNotAfter())) {
      problems.add(
          secretName
              + ": tls.crt (until "
              + leaf.getNotAfter().toInstant()
              + ") outlives its CA (until "
              + issuer.getNotAfter().toInstant()
              + ")");
    }
    if (!now.isBefore(leaf.getNotAfter().toInstant())) {
      problems.add(secretName + ": tls.crt expired at " + leaf.getNotAfter().toInstant());
    } else if (now.isBefore(leaf.getNotBefore().toInstant())) {
      problems.add(secretName + ": tls.crt is not valid before " + leaf.getNotBefore().toInstant());
    }
    for (var ca : cas) {
      if (!now.isBefore(ca.getNotAfter().toInstant())) {
        problems.add(
            secretName
                + ": CA "
                + ca.getSubjectX500Principal().getName()
                + " in ca.crt expired at "
                + ca.getNotAfter().toInstant());
      }
    }
    try {
      var names = CertificateNames.dnsNames(leaf);
      var missing = new ArrayList<String>();
      for (var required : requiredNames) {
        if (!names(names, required, purpose)) {
          missing.add(required);
        }
      }
      if (!missing.isEmpty()) {
        problems.add(
            secretName + ": tls.crt does not name " + missing + " (its DNS names: " + names + ")");
      }
    } catch (CertificateParsingException e) {
      problems.add(secretName + ": tls.crt has unreadable subject alternative names");
    }
    return new Result(leaf, cas, problems);
  }

  private static boolean names(List<String> names, String required, TlsPurpose purpose) {
    var r = required.toLowerCase(Locale.ROOT);
    for (var n : names) {
      if (n.contains("*")) {
        continue; // the node's peer check ignores wildcards; so do we
      }
      if (n.equals(r) || (purpose == TlsPurpose.INTERNODE && n.startsWith(r + "."))) {
        return true;
      }
    }
    return false;
  }

  private static boolean signed(X509Certificate leaf, X509Certificate ca) {
    try {
      leaf.verify(ca.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static boolean keyFits(X509Certificate cert, PrivateKey key) {
    var alg = "EC".equals(key.getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA";
    try {
      var challenge =
          "allidb-operator-key-check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      var s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(challenge);
      var sig = s.sign();
      var v = Signature.getInstance(alg);
      v.initVerify(cert.getPublicKey());
      v.update(challenge);
      return v.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
