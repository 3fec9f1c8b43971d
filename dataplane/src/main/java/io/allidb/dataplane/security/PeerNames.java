package io.allidb.dataplane.security;

import io.allidb.dataplane.cluster.ClusterView;
import io.grpc.util.AdvancedTlsX509TrustManager;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import javax.net.ssl.SSLEngine;

/**
 * The internode identity rule: after the chain verified against the cluster trust bundle, the
 * peer's certificate must <b>name a cluster member</b>. A certificate names {@code n} by a DNS or
 * IP subject alternative name equal to {@code n}, or by a DNS name whose first label is {@code n}
 * ({@code allidb-0.allidb-headless.db.svc.cluster.local} names host id {@code allidb-0}). Wildcard
 * names never count. Member names are the current members' host ids and the hosts of their
 * internode addresses (and seeds), plus any name matching the configured join pattern, so that a
 * node that is not a member yet can join.
 *
 * <p>Runs during the handshake on both sides: a server refuses a client certificate that names no
 * member, a client refuses such a server certificate; the connection never carries a call.
 * Thread-safe: the member supplier is read per handshake.
 */
public final class PeerNames implements AdvancedTlsX509TrustManager.SslSocketAndEnginePeerVerifier {
  private static final int SAN_DNS = 2;
  private static final int SAN_IP = 7;

  private final Supplier<? extends Collection<String>> members;
  private final Pattern joinPattern;

  /**
   * @param members host ids and host names of current members and seeds
   * @param joinPattern names accepted besides members (null: members only)
   */
  public PeerNames(Supplier<? extends Collection<String>> members, Pattern joinPattern) {
    this.members = Objects.requireNonNull(members, "members");
    this.joinPattern = joinPattern;
  }

  /**
   * The member names of a cluster view, read live: every ring member's host id, the host of its
   * internode address, and the hosts of {@code seeds} ({@code host:port}).
   */
  public static Supplier<Collection<String>> of(ClusterView view, List<String> seeds) {
    return () -> {
      var names = new java.util.HashSet<String>();
      for (String seed : seeds) {
        names.add(host(seed));
      }
      names.add(view.localHostId());
      for (String hostId : view.ring().members().keySet()) {
        names.add(hostId);
        view.internodeAddress(hostId).ifPresent(a -> names.add(host(a)));
      }
      return names;
    };
  }

  private static String host(String address) {
    int colon = address.lastIndexOf(':');
    String h = colon > 0 ? address.substring(0, colon) : address;
    return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
  }

  /** The DNS and IP names of a certificate, lower-cased; wildcards left out. */
  public static List<String> names(X509Certificate cert) throws CertificateParsingException {
    var out = new ArrayList<String>();
    Collection<List<?>> sans = cert.getSubjectAlternativeNames();
    if (sans == null) {
      return out;
    }
    for (List<?> san : sans) {
      int type = (Integer) san.get(0);
      if ((type == SAN_DNS || type == SAN_IP) && san.get(1) instanceof String s) {
        if (!s.contains("*")) {
          out.add(s.toLowerCase(Locale.ROOT));
        }
      }
    }
    return out;
  }

  /**
   * Checks a verified chain.
   *
   * @throws CertificateException naming the certificate's subject and names, and why
   */
  public void check(X509Certificate[] chain) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("peer presented no certificate");
    }
    List<String> names = names(chain[0]);
    Collection<String> current = members.get();
    for (String n : names) {
      int dot = n.indexOf('.');
      String first = dot > 0 && !Character.isDigit(n.charAt(0)) ? n.substring(0, dot) : n;
      if (contains(current, n)
          || contains(current, first)
          || (joinPattern != null && joinPattern.matcher(n).matches())) {
        return;
      }
    }
    throw new CertificateException(
        "peer certificate "
            + chain[0].getSubjectX500Principal().getName()
            + " names no cluster member (its names: "
            + names
            + ")");
  }

  private static boolean contains(Collection<String> members, String name) {
    for (String m : members) {
      if (m.equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void verifyPeerCertificate(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain);
  }

  @Override
  public void verifyPeerCertificate(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain);
  }
}
