package io.allidb.operator.pki;

import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Secret layouts of the operator's PKI (a format: change it only with the node side).
 *
 * <p><b>Mounted TLS Secret</b> ({@code <cluster>-internode-tls}, {@code <cluster>-client-tls}),
 * mounted whole at the node's TLS directory so the kubelet swaps every file at once:
 *
 * <ul>
 *   <li>{@code ca.crt}: the trust bundle, PEM, one or more CA certificates (two during a CA key
 *       replacement);
 *   <li>{@code <pod>.tls.crt}, {@code <pod>.tls.key}: each pod's leaf and PKCS#8 key. A StatefulSet
 *       has one pod template, so every pod mounts the same Secret and the node picks the files
 *       named after its pod ({@code $(POD_NAME)}), the layout Elastic's ECK uses;
 *   <li>{@code generation}: a decimal number that grows with every change. A node reports the
 *       generation it has loaded ({@code NodeInfo.certificate_generation}, the smaller of its two
 *       TLS directories), which is how the operator knows a phase has reached every node.
 * </ul>
 *
 * <p><b>CA Secret</b> ({@code <cluster>-internode-ca}, {@code <cluster>-client-ca}), never mounted:
 * {@code ca.crt}/{@code ca.key} (the signing CA), {@code next.crt}/{@code next.key} (the
 * replacement during TrustNew), {@code retired.crt} (CAs still trusted during SignWithNew);
 * annotations {@value #PHASE} and {@value #HANDLED_ROTATION} hold the rollout state, so a restarted
 * operator continues where it stopped.
 */
public final class TlsSecrets {
  public static final String BUNDLE = "ca.crt";
  public static final String GENERATION = "generation";
  public static final String CERT_SUFFIX = ".tls.crt";
  public static final String KEY_SUFFIX = ".tls.key";
  public static final String PHASE = "allidb.io/ca-phase";
  public static final String HANDLED_ROTATION = "allidb.io/ca-rotation-handled";

  private TlsSecrets() {}

  /** The mounted Secret's data. */
  public static Map<String, String> materialData(TlsMaterial m) {
    var data = new TreeMap<String, String>();
    data.put(BUNDLE, b64(Pem.certificates(m.bundle())));
    m.leaves()
        .forEach(
            (pod, leaf) -> {
              data.put(pod + CERT_SUFFIX, b64(Pem.certificates(List.of(leaf.certificate()))));
              data.put(pod + KEY_SUFFIX, b64(Pem.privateKey(leaf.key())));
            });
    data.put(GENERATION, b64(Long.toString(m.generation())));
    return data;
  }

  /**
   * Reads a mounted Secret written by {@link #materialData}; null Secret gives {@link
   * TlsMaterial#empty()}.
   *
   * @throws IllegalArgumentException naming the Secret and key that is malformed
   */
  public static TlsMaterial readMaterial(Secret secret) {
    if (secret == null || secret.getData() == null) {
      return TlsMaterial.empty();
    }
    var name = secret.getMetadata().getName();
    var data = secret.getData();
    var bundle =
        data.containsKey(BUNDLE)
            ? Pem.parseCertificates(text(data.get(BUNDLE)), name + "/" + BUNDLE)
            : List.<X509Certificate>of();
    var leaves = new LinkedHashMap<String, IssuedCertificate>();
    for (var key : data.keySet()) {
      if (key.endsWith(CERT_SUFFIX)) {
        var pod = key.substring(0, key.length() - CERT_SUFFIX.length());
        var keyFile = pod + KEY_SUFFIX;
        if (!data.containsKey(keyFile)) {
          continue; // half a pair is re-issued
        }
        var cert = Pem.parseCertificates(text(data.get(key)), name + "/" + key).get(0);
        var pk = Pem.parsePrivateKey(text(data.get(keyFile)), name + "/" + keyFile);
        leaves.put(pod, new IssuedCertificate(cert, pk));
      }
    }
    long generation = 0;
    if (data.containsKey(GENERATION)) {
      try {
        generation = Long.parseLong(text(data.get(GENERATION)).strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(name + "/" + GENERATION + " is not a number");
      }
    }
    return new TlsMaterial(bundle, leaves, generation);
  }

  /** The CA Secret's data. */
  public static Map<String, String> caData(CaState ca) {
    var data = new TreeMap<String, String>();
    data.put("ca.crt", b64(Pem.certificates(List.of(ca.active().certificate()))));
    data.put("ca.key", b64(Pem.privateKey(ca.active().key())));
    if (ca.next() != null) {
      data.put("next.crt", b64(Pem.certificates(List.of(ca.next().certificate()))));
      data.put("next.key", b64(Pem.privateKey(ca.next().key())));
    }
    if (!ca.retired().isEmpty()) {
      data.put("retired.crt", b64(Pem.certificates(ca.retired())));
    }
    return data;
  }

  public static Map<String, String> caAnnotations(CaState ca) {
    var out = new TreeMap<String, String>();
    out.put(PHASE, ca.phase().name());
    if (ca.handledRotation() != null) {
      out.put(HANDLED_ROTATION, ca.handledRotation());
    }
    return out;
  }

  /** Reads a CA Secret; null when it does not exist or holds no key. */
  public static CaState readCa(Secret secret) {
    if (secret == null || secret.getData() == null || !secret.getData().containsKey("ca.key")) {
      return null;
    }
    var name = secret.getMetadata().getName();
    var data = secret.getData();
    var active = pair(data, "ca", name);
    var next = data.containsKey("next.key") ? pair(data, "next", name) : null;
    var retired =
        data.containsKey("retired.crt")
            ? Pem.parseCertificates(text(data.get("retired.crt")), name + "/retired.crt")
            : List.<X509Certificate>of();
    var annotations =
        secret.getMetadata().getAnnotations() == null
            ? Map.<String, String>of()
            : secret.getMetadata().getAnnotations();
    CaPhase phase;
    try {
      phase = CaPhase.valueOf(annotations.getOrDefault(PHASE, CaPhase.STEADY.name()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + ": annotation " + PHASE + " is not a phase");
    }
    if (phase == CaPhase.TRUST_NEW && next == null) {
      throw new IllegalArgumentException(name + ": phase TrustNew without next.crt/next.key");
    }
    return new CaState(
        active,
        phase == CaPhase.TRUST_NEW ? next : null,
        new ArrayList<>(retired),
        phase,
        annotations.get(HANDLED_ROTATION));
  }

  private static IssuedCertificate pair(Map<String, String> data, String prefix, String name) {
    var crt = prefix + ".crt";
    var key = prefix + ".key";
    if (!data.containsKey(crt)) {
      throw new IllegalArgumentException(name + ": " + key + " without " + crt);
    }
    return new IssuedCertificate(
        Pem.parseCertificates(text(data.get(crt)), name + "/" + crt).get(0),
        Pem.parsePrivateKey(text(data.get(key)), name + "/" + key));
  }

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  static String text(String b64) {
    return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
  }
}
