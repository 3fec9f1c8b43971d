package io.allidb.dataplane.cluster.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.allidb.dataplane.cluster.proto.ApplyRowsReply;
import io.allidb.dataplane.cluster.proto.ApplyRowsRequest;
import io.allidb.dataplane.cluster.proto.DeliverHintsReply;
import io.allidb.dataplane.cluster.proto.DeliverHintsRequest;
import io.allidb.dataplane.cluster.proto.GossipDigestAck;
import io.allidb.dataplane.cluster.proto.GossipDigestAck2;
import io.allidb.dataplane.cluster.proto.GossipDigestSyn;
import io.allidb.dataplane.cluster.proto.LocalExpandReply;
import io.allidb.dataplane.cluster.proto.LocalExpandRequest;
import io.allidb.dataplane.cluster.proto.LocalScanReply;
import io.allidb.dataplane.cluster.proto.LocalScanRequest;
import io.allidb.dataplane.cluster.proto.LocalSearchReply;
import io.allidb.dataplane.cluster.proto.LocalSearchRequest;
import io.allidb.dataplane.cluster.proto.ReadRowsReply;
import io.allidb.dataplane.cluster.proto.ReadRowsRequest;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** PooledPeers against a real internode server on loopback whose replica handler can fail. */
class PooledPeersTest {
  private static final String PEER = "node-b";

  /** Fails the first {@code failures} ApplyRows with the given exception, then answers. */
  private static final class FlakyReplica implements ReplicaHandler {
    final AtomicInteger calls = new AtomicInteger();
    volatile int failures;
    volatile Exception failure = new IOException("disk on fire");

    @Override
    public ApplyRowsReply applyRows(ApplyRowsRequest request) throws IOException {
      int n = calls.incrementAndGet();
      if (n <= failures) {
        if (failure instanceof IOException io) {
          throw io;
        }
        throw (RuntimeException) failure;
      }
      return ApplyRowsReply.newBuilder().setApplied(request.getRowsCount()).build();
    }

    @Override
    public ReadRowsReply readRows(ReadRowsRequest request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public DeliverHintsReply deliverHints(DeliverHintsRequest request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public LocalSearchReply localSearch(LocalSearchRequest request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public LocalExpandReply localExpand(LocalExpandRequest request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public LocalScanReply localScan(LocalScanRequest request) {
      throw new UnsupportedOperationException();
    }
  }

  private static final GossipReceiver NO_GOSSIP =
      new GossipReceiver() {
        @Override
        public GossipDigestAck onSyn(GossipDigestSyn syn) {
          return GossipDigestAck.getDefaultInstance();
        }

        @Override
        public void onAck2(GossipDigestAck2 ack2) {}
      };

  private final FlakyReplica replica = new FlakyReplica();
  private InternodeServer server;
  private PooledPeers peers;
  private NetworkFaults faults;

  @BeforeEach
  void start() throws IOException {
    server =
        InternodeServer.builder()
            .bindAddress("127.0.0.1")
            .port(0)
            .plaintextForDevelopment()
            .gossip(NO_GOSSIP)
            .replicas(replica)
            .build()
            .start();
    faults = new NetworkFaults(1);
    // a breaker that opens after 4 calls, so a test can see it open
    peers =
        newPeers(
            CircuitBreakerConfig.from(PooledPeers.Builder.defaultBreakerConfig())
                .slidingWindowSize(4)
                .minimumNumberOfCalls(4)
                .waitDurationInOpenState(Duration.ofMinutes(1))
                .build());
  }

  private PooledPeers newPeers(CircuitBreakerConfig breaker) {
    var addresses = new PeerAddresses();
    addresses.put(PEER, "127.0.0.1:" + server.port());
    return PooledPeers.builder()
        .localHostId("node-a")
        .addresses(addresses)
        .plaintextForDevelopment()
        .retries(3, Duration.ofMillis(10))
        .faults(faults)
        .circuitBreaker(breaker)
        .build();
  }

  @AfterEach
  void stop() {
    peers.close();
    server.close();
  }

  private CompletableFuture<ApplyRowsReply> apply(boolean idempotent) {
    var request = ApplyRowsRequest.newBuilder().setFromHostId("node-a").build();
    return peers.call(PEER, "ApplyRows", idempotent, stub -> stub.applyRows(request));
  }

  private static Status failure(CompletableFuture<?> f) throws InterruptedException {
    try {
      f.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(StatusRuntimeException.class);
      return ((StatusRuntimeException) e.getCause()).getStatus();
    } catch (TimeoutException e) {
      throw new AssertionError("call did not complete", e);
    }
    throw new AssertionError("call succeeded");
  }

  @Test
  void idempotentCallsAreRetriedThroughUnavailable() throws Exception {
    replica.failures = 2; // IOException on the replica -> UNAVAILABLE on the wire
    assertThat(apply(true).get(10, TimeUnit.SECONDS).getApplied()).isZero();
    assertThat(replica.calls).hasValue(3);
  }

  @Test
  void nonIdempotentCallsAreNotRetried() throws Exception {
    replica.failures = 1;
    assertThat(failure(apply(false)).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(replica.calls).hasValue(1);
  }

  @Test
  void requestErrorsAreNeitherRetriedNorHeldAgainstThePeer() throws Exception {
    replica.failures = 100;
    replica.failure = new IllegalArgumentException("row without id");
    for (int i = 0; i < 6; i++) {
      Status s = failure(apply(true));
      assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(s.getDescription()).isEqualTo("row without id");
    }
    assertThat(replica.calls).hasValue(6);
    assertThat(peers.breakerState(PEER)).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @Test
  void theBreakerOpensAfterRepeatedFailuresAndNamesThePeer() throws Exception {
    replica.failures = 1000;
    for (int i = 0; i < 4; i++) {
      assertThat(failure(apply(false)).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    }
    assertThat(peers.breakerState(PEER)).isEqualTo(CircuitBreaker.State.OPEN);
    int before = replica.calls.get();
    Status open = failure(apply(true));
    assertThat(open.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(open.getDescription()).contains("circuit breaker open for peer " + PEER);
    assertThat(replica.calls).hasValue(before); // failed fast, and not retried
  }

  @Test
  void anUnknownPeerFailsWithoutACall() throws Exception {
    Status s =
        failure(
            peers.call(
                "nobody",
                "ApplyRows",
                true,
                stub -> stub.applyRows(ApplyRowsRequest.getDefaultInstance())));
    assertThat(s.getDescription()).contains("no known internode address for peer nobody");
  }

  @Test
  void dataRpcsWithoutAHandlerAreUnimplemented() throws Exception {
    try (var bare =
        InternodeServer.builder()
            .bindAddress("127.0.0.1")
            .port(0)
            .plaintextForDevelopment()
            .gossip(NO_GOSSIP)
            .build()
            .start()) {
      Status s =
          failure(
              peers.callAddress(
                  "127.0.0.1:" + bare.port(),
                  "ReadRows",
                  stub -> stub.readRows(ReadRowsRequest.getDefaultInstance())));
      assertThat(s.getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
    }
  }

  @Test
  void faultsDropDelayAndPartitionCalls() throws Exception {
    peers.close();
    peers = newPeers(PooledPeers.Builder.defaultBreakerConfig()); // these failures must not open it
    faults.drop(1.0);
    assertThat(failure(apply(false)).getDescription()).contains("dropped");
    faults.heal();
    faults.delay(Duration.ofSeconds(30)); // longer than the 2 s deadline
    assertThat(failure(apply(false)).getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    faults.heal();
    faults.delay(Duration.ofMillis(50));
    assertThat(apply(false).get(10, TimeUnit.SECONDS)).isNotNull();
    faults.heal();
    faults.isolate(PEER, List.of("node-a", PEER));
    assertThat(failure(apply(false)).getDescription()).contains("partitioned from " + PEER);
    faults.heal();
    assertThat(apply(false).get(10, TimeUnit.SECONDS)).isNotNull();
    assertThat(replica.calls).hasValue(2); // only the delayed call and the last one arrived
  }

  @Test
  void plaintextMustBeChosenExplicitly() {
    assertThatThrownBy(
            () -> PooledPeers.builder().localHostId("a").addresses(new PeerAddresses()).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("plaintextForDevelopment");
    assertThatThrownBy(() -> InternodeServer.builder().gossip(NO_GOSSIP).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("plaintextForDevelopment");
  }
}
