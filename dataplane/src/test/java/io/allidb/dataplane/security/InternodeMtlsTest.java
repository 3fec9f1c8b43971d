package io.allidb.dataplane.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.dataplane.cluster.proto.ApplyRowsRequest;
import io.allidb.dataplane.cluster.proto.GossipDigestAck;
import io.allidb.dataplane.cluster.proto.GossipDigestAck2;
import io.allidb.dataplane.cluster.proto.GossipDigestSyn;
import io.allidb.dataplane.cluster.transport.GossipReceiver;
import io.allidb.dataplane.cluster.transport.InternodeServer;
import io.allidb.dataplane.cluster.transport.PeerAddresses;
import io.allidb.dataplane.cluster.transport.PooledPeers;
import io.allidb.dataplane.testing.TestPki;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Internode mTLS over real TLS handshakes on loopback: gossip and replication reach a node only
 * from a certificate that chains to the cluster CA and names a member; the client side refuses a
 * server that does not.
 */
class InternodeMtlsTest {
  private static final Set<String> MEMBERS = Set.of("node-a", "node-b");

  @TempDir Path dir;
  private final TestPki.Ca cluster = TestPki.newCa("allidb-cluster-ca");
  private final TestPki.Ca foreign = TestPki.newCa("someone-elses-ca");
  private final AtomicInteger syns = new AtomicInteger();
  private final List<AutoCloseable> open = new ArrayList<>();
  private InternodeServer server;

  private final GossipReceiver gossip =
      new GossipReceiver() {
        @Override
        public GossipDigestAck onSyn(GossipDigestSyn syn) {
          syns.incrementAndGet();
          return GossipDigestAck.getDefaultInstance();
        }

        @Override
        public void onAck2(GossipDigestAck2 ack2) {}
      };

  @BeforeEach
  void startNodeB() throws Exception {
    InternodeTls tls =
        tls(
            "b",
            cluster.issue("node-b", "node-b.allidb-headless.db.svc", "127.0.0.1"),
            Pattern.compile("node-c\\..*"),
            cluster);
    server =
        InternodeServer.builder()
            .bindAddress("127.0.0.1")
            .port(0)
            .credentials(tls.serverCredentials())
            .gossip(gossip)
            .build()
            .start();
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  private InternodeTls tls(String name, TestPki.Issued leaf, Pattern join, TestPki.Ca... trust)
      throws Exception {
    var t =
        InternodeTls.open(
            TlsFiles.inDirectory(TestPki.write(dir.resolve(name), leaf, trust)),
            Duration.ofSeconds(1),
            () -> MEMBERS,
            join);
    open.add(t);
    return t;
  }

  private PooledPeers peersWith(InternodeTls tls) {
    var addresses = new PeerAddresses();
    addresses.put("node-b", "127.0.0.1:" + server.port());
    var p =
        PooledPeers.builder()
            .localHostId("caller")
            .addresses(addresses)
            .credentials(tls.channelCredentials())
            .retries(1, Duration.ofMillis(10))
            .build();
    open.add(p);
    return p;
  }

  /** The status of a gossip SYN and of a replication call from {@code peers} to node B. */
  private List<Status.Code> gossipAndReplicate(PooledPeers peers) throws Exception {
    var codes = new ArrayList<Status.Code>();
    codes.add(
        outcome(
            () ->
                peers
                    .callAddress(
                        "127.0.0.1:" + server.port(),
                        "GossipSyn",
                        s ->
                            s.withDeadlineAfter(5, TimeUnit.SECONDS)
                                .gossipSyn(GossipDigestSyn.newBuilder().setFromHostId("x").build()))
                    .get()));
    codes.add(
        outcome(
            () ->
                peers
                    .call(
                        "node-b",
                        "ApplyRows",
                        true,
                        s -> s.applyRows(ApplyRowsRequest.newBuilder().setFromHostId("x").build()))
                    .get()));
    return codes;
  }

  private interface Call {
    Object run() throws Exception;
  }

  private static Status.Code outcome(Call call) throws Exception {
    try {
      call.run();
      return Status.Code.OK;
    } catch (ExecutionException e) {
      return Status.fromThrowable(e.getCause()).getCode();
    }
  }

  @Test
  void aMemberWithAClusterCertificateGossipsAndReplicates() throws Exception {
    var peers = peersWith(tls("a", cluster.issue("node-a", "node-a", "127.0.0.1"), null, cluster));
    // ApplyRows reaches the node, which has no replica handler here: UNIMPLEMENTED, not a TLS error
    assertThat(gossipAndReplicate(peers))
        .containsExactly(Status.Code.OK, Status.Code.UNIMPLEMENTED);
    assertThat(syns).hasValue(1);
  }

  @Test
  void aNodeWithAForeignCaCertificateCannotGossipOrReplicate() throws Exception {
    // it even trusts the cluster CA, so only its own certificate is wrong
    var peers =
        peersWith(tls("x", foreign.issue("node-a", "node-a", "127.0.0.1"), null, cluster, foreign));
    assertThat(gossipAndReplicate(peers))
        .containsExactly(Status.Code.UNAVAILABLE, Status.Code.UNAVAILABLE);
    assertThat(syns).hasValue(0);
  }

  @Test
  void aClusterCertificateThatNamesNoMemberIsRefused() throws Exception {
    var peers =
        peersWith(
            tls(
                "i",
                cluster.issue("intruder", "intruder", "*.allidb-headless.db.svc"),
                null,
                cluster));
    assertThat(gossipAndReplicate(peers))
        .containsExactly(Status.Code.UNAVAILABLE, Status.Code.UNAVAILABLE);
    assertThat(syns).hasValue(0);
  }

  @Test
  void aJoiningNodeNamedByTheJoinPatternIsAccepted() throws Exception {
    var peers =
        peersWith(
            tls("c", cluster.issue("node-c", "node-c.allidb-headless.db.svc"), null, cluster));
    assertThat(gossipAndReplicate(peers).get(0)).isEqualTo(Status.Code.OK);
  }

  @Test
  void aClientRefusesAServerWhoseCertificateIsForeign() throws Exception {
    server.close();
    InternodeTls rogue =
        tls("rogue", foreign.issue("node-b", "node-b", "127.0.0.1"), null, cluster, foreign);
    server =
        InternodeServer.builder()
            .bindAddress("127.0.0.1")
            .port(0)
            .credentials(rogue.serverCredentials())
            .gossip(gossip)
            .build()
            .start();
    var peers = peersWith(tls("a", cluster.issue("node-a", "node-a", "127.0.0.1"), null, cluster));
    assertThat(gossipAndReplicate(peers))
        .containsExactly(Status.Code.UNAVAILABLE, Status.Code.UNAVAILABLE);
    assertThat(syns).hasValue(0);
  }

  @Test
  void aPlaintextPeerCannotTalkToAnMtlsNode() throws Exception {
    var addresses = new PeerAddresses();
    addresses.put("node-b", "127.0.0.1:" + server.port());
    var plain =
        PooledPeers.builder()
            .localHostId("plain")
            .addresses(addresses)
            .plaintextForDevelopment()
            .retries(1, Duration.ofMillis(10))
            .build();
    open.add(plain);
    assertThat(gossipAndReplicate(plain))
        .containsExactly(Status.Code.UNAVAILABLE, Status.Code.UNAVAILABLE);
    assertThat(syns).hasValue(0);
  }

  /**
   * Certificates name pods by DNS name, never by IP; a peer dialled by address (DNS seeds) is
   * checked by the chain and the member rule, a peer dialled by a name it does not carry is not.
   */
  @Test
  void aServerDialledByAddressNeedsNoIpNameButADialledNameMustMatch() throws Exception {
    server.close();
    InternodeTls dnsOnly =
        tls("dns-only", cluster.issue("node-b", "node-b.allidb-headless.db.svc"), null, cluster);
    server =
        InternodeServer.builder()
            .bindAddress("127.0.0.1")
            .port(0)
            .credentials(dnsOnly.serverCredentials())
            .gossip(gossip)
            .build()
            .start();
    var peers = peersWith(tls("a", cluster.issue("node-a", "node-a", "127.0.0.1"), null, cluster));
    // past the handshake: gossip answers, and this bare server has no replication service
    assertThat(gossipAndReplicate(peers))
        .containsExactly(Status.Code.OK, Status.Code.UNIMPLEMENTED);

    var byName = new PeerAddresses();
    byName.put("node-b", "localhost:" + server.port());
    var wrongName =
        PooledPeers.builder()
            .localHostId("caller")
            .addresses(byName)
            .credentials(
                tls("a2", cluster.issue("node-a", "node-a", "127.0.0.1"), null, cluster)
                    .channelCredentials())
            .retries(1, Duration.ofMillis(10))
            .build();
    open.add(wrongName);
    assertThat(
            outcome(
                () ->
                    wrongName
                        .call(
                            "node-b",
                            "ApplyRows",
                            true,
                            s ->
                                s.applyRows(
                                    ApplyRowsRequest.newBuilder().setFromHostId("x").build()))
                        .get()))
        .as("dialled as localhost, which the certificate does not name: refused in the handshake")
        .isEqualTo(Status.Code.UNAVAILABLE);
  }
}
