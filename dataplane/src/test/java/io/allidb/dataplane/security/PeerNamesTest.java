package io.allidb.dataplane.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.allidb.dataplane.cluster.StaticClusterView;
import io.allidb.dataplane.cluster.ring.TokenRing;
import io.allidb.dataplane.testing.TestPki;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The member-naming rule on certificates, without sockets. */
class PeerNamesTest {
  private final TestPki.Ca ca = TestPki.newCa("ca");
  private final StaticClusterView view =
      new StaticClusterView(
          "allidb-0",
          TokenRing.of(
              1,
              List.of(
                  new TokenRing.Member("allidb-0", "r1", List.of(0L)),
                  new TokenRing.Member("allidb-1", "r1", List.of(1L << 40)))),
          2,
          Map.of("allidb-1", "10.0.0.7:7001"),
          Set.of());
  private final PeerNames names =
      new PeerNames(
          PeerNames.of(view, List.of("seed.db.svc:7001")),
          Pattern.compile("allidb-\\d+\\.hl\\.db\\.svc"));

  private X509Certificate[] cert(String... sans) {
    return new X509Certificate[] {ca.issue("x", sans).certificate()};
  }

  @Test
  void acceptsHostIdsFirstLabelsAddressesSeedsAndTheJoinPattern() throws Exception {
    names.check(cert("allidb-1"));
    names.check(cert("allidb-1.hl.db.svc.cluster.local"));
    names.check(cert("10.0.0.7"));
    names.check(cert("seed.db.svc"));
    names.check(cert("allidb-5.hl.db.svc"));
  }

  @Test
  void refusesWildcardsStrangersAndCertificatesWithoutNames() {
    for (var c : List.of(cert("*.hl.db.svc"), cert("intruder.example"), cert("10.0.0.8"), cert())) {
      assertThatThrownBy(() -> names.check(c))
          .isInstanceOf(CertificateException.class)
          .hasMessageContaining("names no cluster member");
    }
    assertThat(PeerNames.of(view, List.of()).get()).contains("allidb-0", "allidb-1", "10.0.0.7");
  }
}
