package io.allidb.dataplane.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.allidb.api.admin.CleanupReply;
import io.allidb.api.admin.CleanupRequest;
import io.allidb.api.proto.ConsistencyLevel;
import io.allidb.dataplane.cluster.proto.EndpointState;
import io.allidb.dataplane.cluster.proto.NodeStatus;
import io.allidb.dataplane.cluster.ring.TokenRing;
import io.allidb.dataplane.cluster.streaming.StreamProgress;
import io.allidb.dataplane.cluster.transport.NetworkFaults;
import io.allidb.dataplane.storage.row.RowKey;
import io.allidb.dataplane.testing.NodeProcess;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scaling test: a real cluster (in-JVM {@link io.allidb.dataplane.server
 * .DataplaneServer}s on the production gossip runtime, RF 2, one rack per node) goes 3 -> 5 -> 3
 * while a client writes and reads at QUORUM through n1..n3 throughout.
 *
 * <ul>
 *   <li>n4 and n5 bootstrap one after the other; while n4 is JOINING, Cleanup is refused with
 *       FAILED_PRECONDITION. At five nodes ownership is within 10 % of even, and after Cleanup on
 *       n1..n3 (which drops what n4 and n5 took over) every key is stored on exactly its two
 *       replicas (checked in each node's own storage).
 *   <li>n5 then n4 decommission; the three-node ring is balanced again.
 *   <li>No acknowledged write is lost (each read back at QUORUM). A QUORUM read of an acknowledged
 *       key never misses it; the only read errors tolerated are the documented ones (DEADLINE /
 *       UNAVAILABLE of a slow replica call, docs/cluster.md), counted and printed.
 *   <li>After Cleanup on every remaining node, every key is on exactly its RF replicas.
 * </ul>
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ScaleOutAndInIT {
  private static final String KEY = "key-s.ssssssssssssssssssssssssssssssss";
  private static final String TENANT = "acme";
  private static final Duration INTERVAL = Duration.ofMillis(200);
  private static final int RF = 2;
  private static final List<String> CORE = List.of("n1", "n2", "n3");

  @TempDir Path root;
  private GossipNodes nodes;

  @AfterEach
  void close() throws Exception {
    if (nodes != null) {
      nodes.close();
    }
  }

  @Test
  void threeToFiveToThreeUnderQuorumLoad() throws Exception {
    long seed = Long.getLong("tests.seed", System.nanoTime());
    System.out.println("[seed] ScaleOutAndInIT -Dtests.seed=" + seed);
    nodes = new GossipNodes(root, "scale-it", RF, INTERVAL, new NetworkFaults(seed), KEY, TENANT);
    int seedPort = NodeProcess.freePort();
    for (int i = 0; i < 3; i++) {
      nodes.start(i, i == 0 ? seedPort : NodeProcess.freePort(), seedPort);
      int members = i + 1;
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> nodes.runtime("n1").gossipView().ring().members().size() == members);
    }
    awaitStableRing(CORE);
    var acked = new CopyOnWriteArrayList<String>();
    for (int k = 0; k < 200; k++) {
      String id = "pre" + k;
      nodes.put(CORE.get(k % 3), id, 1, ConsistencyLevel.CONSISTENCY_QUORUM);
      acked.add(id);
    }
    var client = new Client(seed, acked);
    client.start();

    // 3 -> 4, with Cleanup refused while n4 is JOINING
    int port4 = NodeProcess.freePort();
    CompletableFuture<Void> join4 = startAsync(3, port4, seedPort);
    await("n1 sees n4 JOINING with tokens")
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                state("n1", "n4")
                    .map(s -> s.getStatus() == NodeStatus.JOINING && s.getTokensCount() > 0)
                    .orElse(false));
    assertThatThrownBy(() -> cleanup("n1"))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
              assertThat(e.getStatus().getDescription())
                  .contains("cleanup refused")
                  .contains("ring change is in flight");
            });
    join4.get(120, TimeUnit.SECONDS);
    awaitStableRing(List.of("n1", "n2", "n3", "n4"));

    // 4 -> 5
    startAsync(4, NodeProcess.freePort(), seedPort).get(120, TimeUnit.SECONDS);
    var five = List.of("n1", "n2", "n3", "n4", "n5");
    awaitStableRing(five);
    TokenRing ring5 = nodes.runtime("n1").gossipView().ring();
    assertBalanced(ring5);
    long dropped = 0;
    for (String h : five) {
      dropped += cleanup(h).getRowsRemoved();
    }
    assertThat(dropped).as("rows n1..n3 gave to n4 and n5, dropped by cleanup").isPositive();
    client.pause();
    awaitNoHints(five, five);
    assertExactlyOnReplicas(ring5, five, acked);
    client.resume();

    // 5 -> 4 -> 3
    for (String leaving : List.of("n5", "n4")) {
      decommission(leaving);
    }
    client.stop();
    awaitStableRing(CORE);
    TokenRing ring3 = nodes.runtime("n1").gossipView().ring();
    assertThat(ring3.hostIds()).containsExactlyInAnyOrderElementsOf(CORE);
    assertBalanced(ring3);
    awaitNoHints(CORE, CORE);
    for (String h : CORE) {
      cleanup(h);
    }
    System.out.println("[ScaleOutAndInIT] " + client.summary());
    assertThat(client.notFound).as("QUORUM reads that missed an acknowledged write").hasValue(0);
    assertThat(client.otherReadErrors).as("read errors of another kind").isEmpty();
    assertThat(client.readsOk.get()).as("reads that succeeded").isPositive();
    assertThat(acked).hasSizeGreaterThan(250);
    for (String id : List.copyOf(acked)) {
      assertThat(nodes.version(CORE.get(Math.floorMod(id.hashCode(), 3)), id, quorum()))
          .as("acknowledged %s", id)
          .isEqualTo(1);
    }
    assertExactlyOnReplicas(ring3, CORE, acked);
  }

  private static ConsistencyLevel quorum() {
    return ConsistencyLevel.CONSISTENCY_QUORUM;
  }

  private CleanupReply cleanup(String host) {
    CleanupReply r = nodes.admin(host, 120).cleanup(CleanupRequest.getDefaultInstance());
    System.out.println(
        "[ScaleOutAndInIT] cleanup on "
            + host
            + ": "
            + com.google.protobuf.TextFormat.shortDebugString(r));
    return r;
  }

  private CompletableFuture<Void> startAsync(int i, int port, int seedPort) {
    return CompletableFuture.runAsync(
        () -> {
          try {
            nodes.start(i, port, seedPort);
          } catch (Exception e) {
            throw new IllegalStateException("n" + (i + 1) + " did not start", e);
          }
        });
  }

  private void decommission(String host) throws Exception {
    assertThat(nodes.server(host).ringChanges().decommission().phase())
        .isEqualTo(StreamProgress.Phase.STREAMING);
    await(host + " decommissioned")
        .atMost(Duration.ofSeconds(120))
        .until(
            () ->
                nodes.server(host).ringChanges().decommissionStatus().phase()
                    != StreamProgress.Phase.STREAMING);
    StreamProgress done = nodes.server(host).ringChanges().decommissionStatus();
    assertThat(done.phase()).as(done.message()).isEqualTo(StreamProgress.Phase.COMPLETED);
    for (String h : CORE) {
      await(h + " ring without " + host)
          .atMost(Duration.ofSeconds(30))
          .until(() -> !nodes.runtime(h).gossipView().ring().hostIds().contains(host));
    }
    nodes.stop(host);
  }

  private java.util.Optional<EndpointState> state(String observer, String member) {
    return nodes.runtime(observer).gossiper().flatMap(g -> g.state(member));
  }

  /** Every listed node sees exactly these members, all up, and no change in flight. */
  private void awaitStableRing(List<String> members) {
    for (String h : members) {
      await(h + " sees " + members + " up and settled")
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                var v = nodes.runtime(h).gossipView();
                return v.ring().hostIds().equals(new java.util.HashSet<>(members))
                    && v.futureRing().isEmpty()
                    && members.stream().allMatch(v::isAlive);
              });
    }
  }

  private void assertBalanced(TokenRing ring) {
    double mean = (double) RF / ring.members().size();
    ring.ownership(RF)
        .forEach(
            (host, share) ->
                assertThat(Math.abs(share - mean) / mean)
                    .as("ownership of %s: %s (mean %s)", host, share, mean)
                    .isLessThan(0.10));
  }

  private void awaitNoHints(List<String> holders, List<String> targets) {
    await("hints for " + targets + " delivered")
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                holders.stream()
                    .allMatch(
                        s ->
                            targets.stream()
                                .allMatch(t -> nodes.server(s).hintStore().pending(t) == 0)));
  }

  /** Each key is in the storage of its RF replicas and of no other member. */
  private void assertExactlyOnReplicas(TokenRing ring, List<String> members, List<String> ids)
      throws Exception {
    int checked = 0;
    for (String id : List.copyOf(ids)) {
      List<String> replicas = ring.replicasFor(TENANT, id, RF);
      for (String h : members) {
        boolean held =
            nodes.server(h).entityStore().storage().getRow(RowKey.of(TENANT, id)).isPresent();
        assertThat(held)
            .as("%s on %s (replicas %s)", id, h, replicas)
            .isEqualTo(replicas.contains(h));
      }
      checked++;
    }
    assertThat(checked).isPositive();
  }

  /**
   * Writes new keys at QUORUM through n1..n3 and, every other step, reads back a random
   * acknowledged one at QUORUM. Pausable, so a check of every replica sees no write in flight.
   */
  private final class Client {
    final AtomicInteger writeFailures = new AtomicInteger();
    final AtomicInteger readsOk = new AtomicInteger();
    final AtomicInteger notFound = new AtomicInteger();
    final AtomicInteger toleratedReadErrors = new AtomicInteger();
    final List<String> otherReadErrors = new CopyOnWriteArrayList<>();
    final Map<String, Boolean> inFlight = new ConcurrentHashMap<>();
    private final Random random;
    private final List<String> acked;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicBoolean paused = new AtomicBoolean();
    private final AtomicBoolean idle = new AtomicBoolean();
    private final Thread thread;

    Client(long seed, List<String> acked) {
      this.random = new Random(seed);
      this.acked = acked;
      this.thread = new Thread(this::run, "scale-it-client");
    }

    void start() {
      thread.start();
    }

    private void run() {
      for (int i = 0; !stop.get(); i++) {
        if (paused.get()) {
          idle.set(true);
          sleepQuietly();
          continue;
        }
        idle.set(false);
        String coordinator = CORE.get(random.nextInt(3));
        String id = "w" + i;
        try {
          nodes.put(coordinator, id, 1, quorum());
          acked.add(id);
        } catch (StatusRuntimeException e) {
          writeFailures.incrementAndGet(); // not acknowledged: nothing is promised
        }
        if (i % 2 == 0) {
          read(coordinator, acked.get(random.nextInt(acked.size())));
        }
      }
      idle.set(true);
    }

    private void read(String coordinator, String id) {
      try {
        nodes.version(coordinator, id, quorum());
        readsOk.incrementAndGet();
      } catch (StatusRuntimeException e) {
        switch (e.getStatus().getCode()) {
          case NOT_FOUND -> notFound.incrementAndGet();
          case DEADLINE_EXCEEDED, UNAVAILABLE -> toleratedReadErrors.incrementAndGet();
          default -> otherReadErrors.add(id + " via " + coordinator + ": " + e.getStatus());
        }
      }
    }

    private static void sleepQuietly() {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    void pause() {
      paused.set(true);
      await("client paused").atMost(Duration.ofSeconds(30)).untilTrue(idle);
    }

    void resume() {
      paused.set(false);
    }

    void stop() throws InterruptedException {
      stop.set(true);
      thread.join(30_000);
    }

    String summary() {
      return String.format(
          "acked %d writes (%d failed); reads ok %d, not found %d, tolerated errors %d, other %d",
          acked.size(),
          writeFailures.get(),
          readsOk.get(),
          notFound.get(),
          toleratedReadErrors.get(),
          otherReadErrors.size());
    }
  }
}
