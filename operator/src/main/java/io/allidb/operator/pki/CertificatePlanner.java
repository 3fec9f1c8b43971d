package io.allidb.operator.pki;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Decides one reconcile's certificate changes for one purpose. Pure apart from key generation: no
 * I/O, the clock comes in as {@code now}, and the stored state comes in as values, so every state
 * transition is a unit test.
 *
 * <p>Rules, applied in order:
 *
 * <ol>
 *   <li>No CA yet: create one. If pods already trust other CAs (the CA Secret was lost), the new CA
 *       starts in {@link CaPhase#SIGN_WITH_NEW} with the old bundle retired but trusted, so nodes
 *       that have not reloaded yet keep talking to each other.
 *   <li>CA past two thirds of its life (or expired): re-sign it with the same key. Trust does not
 *       change, so this needs no rollout.
 *   <li>CA key replacement, one phase per acknowledged generation ({@link CaPhase}): a new rotation
 *       request enters {@code TRUST_NEW}; once every node reports the bundle with the new CA, the
 *       new CA becomes active ({@code SIGN_WITH_NEW}); once every node reports the new leaves, the
 *       old CA leaves the bundle ({@code STEADY}).
 *   <li>Leaves: issued for pods that have none; re-issued when past two thirds of their life,
 *       expired, signed by a key other than the active CA's, or naming other names; removed for
 *       pods that no longer exist.
 * </ol>
 *
 * <p>Expired certificates need no special path: an expired CA is renewed with its own key and every
 * expired leaf is re-issued in the same reconcile; nodes pick the files up by their periodic reload
 * even when they cannot reach each other (docs/operations.md, "Certificates have expired").
 */
public final class CertificatePlanner {
  private CertificatePlanner() {}

  /**
   * What is stored and observed for one purpose.
   *
   * @param ca the CA Secret's content, null when it does not exist
   * @param material the mounted Secret's content ({@link TlsMaterial#empty()} when it does not
   *     exist)
   * @param podNames every pod that should hold a leaf, with the DNS names it must carry
   * @param nodesAcked every node reports {@code material.generation()} or newer
   * @param rotationRequest the current CA rotation request token (annotation), or null
   */
  public record Input(
      String caCommonName,
      CaState ca,
      TlsMaterial material,
      Map<String, List<String>> podNames,
      boolean nodesAcked,
      String rotationRequest,
      Instant now,
      CertificatePolicy policy) {}

  /**
   * The outcome.
   *
   * @param changes one line per change, for the log and events; empty when nothing changed
   */
  public record Plan(
      CaState ca,
      List<X509Certificate> bundle,
      Map<String, IssuedCertificate> leaves,
      boolean caChanged,
      boolean materialChanged,
      List<String> changes) {}

  public static Plan plan(Input in) {
    var now = in.now();
    var policy = in.policy();
    var changes = new ArrayList<String>();
    var ca = in.ca();
    boolean caChanged = false;

    if (ca == null) {
      var fresh = CertificateAuthority.create(in.caCommonName(), now, policy.caLifetime());
      var oldTrust = in.material().bundle();
      if (oldTrust.isEmpty()) {
        ca = CaState.steady(fresh, in.rotationRequest());
        changes.add("created CA " + in.caCommonName());
      } else {
        ca = new CaState(fresh, null, oldTrust, CaPhase.SIGN_WITH_NEW, in.rotationRequest());
        changes.add(
            "CA key missing: created a new CA, keeping the previous CA trusted until every node has new leaves");
      }
      caChanged = true;
    }

    if (ca.active().renewalDue(now)) {
      var renewed = CertificateAuthority.renew(ca.active(), now, policy.caLifetime());
      changes.add(
          (ca.active().expired(now) ? "renewed expired CA " : "renewed CA ")
              + "with its key, now valid until "
              + renewed.notAfter());
      ca = new CaState(renewed, ca.next(), ca.retired(), ca.phase(), ca.handledRotation());
      caChanged = true;
    }

    switch (ca.phase()) {
      case STEADY -> {
        var request = in.rotationRequest();
        if (request != null && !request.equals(ca.handledRotation())) {
          var next = CertificateAuthority.create(in.caCommonName(), now, policy.caLifetime());
          ca = new CaState(ca.active(), next, List.of(), CaPhase.TRUST_NEW, request);
          caChanged = true;
          changes.add("CA key replacement " + request + ": new CA added to every trust bundle");
        }
      }
      case TRUST_NEW -> {
        if (in.nodesAcked()) {
          ca =
              new CaState(
                  ca.next(),
                  null,
                  List.of(ca.active().certificate()),
                  CaPhase.SIGN_WITH_NEW,
                  ca.handledRotation());
          caChanged = true;
          changes.add(
              "CA key replacement: every node trusts the new CA; re-issuing leaves with it");
        }
      }
      case SIGN_WITH_NEW -> {
        if (in.nodesAcked() && allSignedBy(in.material().leaves(), ca.active(), in.podNames())) {
          ca = CaState.steady(ca.active(), ca.handledRotation());
          caChanged = true;
          changes.add("CA key replacement: every node uses new leaves; old CA removed from trust");
        }
      }
    }

    var leaves = new LinkedHashMap<String, IssuedCertificate>();
    for (var pod : in.podNames().entrySet()) {
      var existing = in.material().leaves().get(pod.getKey());
      var why = reissueReason(existing, ca.active(), pod.getValue(), now);
      if (why == null) {
        leaves.put(pod.getKey(), existing);
      } else {
        leaves.put(
            pod.getKey(),
            CertificateAuthority.issue(ca.active(), pod.getValue(), now, policy.leafLifetime()));
        changes.add("issued certificate for " + pod.getKey() + " (" + why + ")");
      }
    }
    for (var pod : in.material().leaves().keySet()) {
      if (!in.podNames().containsKey(pod)) {
        changes.add("removed certificate of " + pod + " (no such pod)");
      }
    }
    var bundle = ca.trustBundle();
    boolean materialChanged =
        !sameCertificates(bundle, in.material().bundle()) || !leaves.equals(in.material().leaves());
    return new Plan(ca, bundle, leaves, caChanged, materialChanged, List.copyOf(changes));
  }

  private static boolean allSignedBy(
      Map<String, IssuedCertificate> leaves, IssuedCertificate ca, Map<String, List<String>> pods) {
    return pods.keySet().stream()
        .allMatch(p -> leaves.get(p) != null && leaves.get(p).signedBy(ca));
  }

  /** Why a leaf must be (re-)issued, or null when it is fine. */
  static String reissueReason(
      IssuedCertificate leaf, IssuedCertificate ca, List<String> names, Instant now) {
    if (leaf == null) {
      return "new pod";
    }
    if (leaf.expired(now)) {
      return "expired " + leaf.notAfter();
    }
    if (leaf.renewalDue(now)) {
      return "two thirds of its lifetime passed";
    }
    if (!leaf.signedBy(ca)) {
      return "signed by another CA";
    }
    if (leaf.notAfter().isAfter(ca.notAfter())) {
      return "outlives its CA";
    }
    try {
      var has = new HashSet<>(io.allidb.operator.pki.CertificateNames.dnsNames(leaf.certificate()));
      if (!has.equals(new HashSet<>(names))) {
        return "names changed";
      }
    } catch (CertificateParsingException e) {
      return "unreadable names";
    }
    return null;
  }

  private static boolean sameCertificates(List<X509Certificate> a, List<X509Certificate> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!Objects.equals(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }
}
