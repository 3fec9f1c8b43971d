package io.allidb.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.allidb.api.admin.DecommissionReply;
import io.allidb.api.admin.RepairReport;
import io.allidb.api.admin.RingMember;
import io.allidb.api.proto.ConsistencyLevel;
import io.allidb.api.proto.Entity;
import io.allidb.api.proto.QueryResult;
import io.allidb.dataplane.cluster.LocalCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The clients against three real nodes at RF 3 (LocalCluster: one JVM, loopback sockets). */
class AlliClusterTest {
  @TempDir Path dir;
  private LocalCluster cluster;
  private final List<String> addresses = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    cluster = LocalCluster.start(dir, 3, 3, b -> b);
    for (int i = 0; i < 3; i++) {
      addresses.add("127.0.0.1:" + cluster.server(i).port());
    }
  }

  @AfterEach
  void stop() throws Exception {
    cluster.close();
  }

  private AlliClient.Builder client() {
    return AlliClient.builder()
        .nodes(addresses)
        .plaintext()
        .apiKey(LocalCluster.KEY)
        .consistency(ConsistencyLevel.CONSISTENCY_QUORUM)
        .deadline(Duration.ofSeconds(30));
  }

  @Test
  void everyOperationWorksOverSeveralNodesAndSurvivesANodeGoingDown() throws Exception {
    try (var client = client().build();
        // single writer per id in this test, so repeating a write is harmless (see AlliClient)
        var writer = client().retryWrites(true).build()) {
      var entities = new ArrayList<Entity>();
      for (int i = 0; i < 30; i++) {
        entities.add(AlliClientTest.entity(String.format("e%02d", i), "doc", 1, i));
      }
      assertThat(client.putBatch(entities).successCount()).isEqualTo(30);
      // round robin: each read goes to some node, each must see every QUORUM write
      for (Entity e : entities) {
        assertThat(client.get(e.getEntityId())).isPresent();
      }
      assertThat(client.scan().pageSize(7).stream().count()).isEqualTo(30);
      assertThat(client.query().vector(1, 0).k(3).execute())
          .extracting(QueryResult::getEntityId)
          .containsExactly("e00", "e01", "e02");

      cluster.stop(1); // QUORUM needs 2 of the 3 replicas: n1 and n3 still make it
      for (Entity e : entities) {
        assertThat(client.get(e.getEntityId())).as(e.getEntityId()).isPresent();
      }
      for (int i = 0; i < 10; i++) {
        writer.put(AlliClientTest.entity("late-" + i, "doc", 2, i));
      }
      writer.delete("e00");
      assertThat(client.get("e00")).isEmpty();
      assertThat(client.scan().pageSize(9).stream().count()).isEqualTo(39);

      cluster.stop(2); // one replica left: QUORUM cannot be met, ONE can
      assertThatThrownBy(() -> client.get("e01"))
          .isInstanceOfSatisfying(
              UnavailableException.class,
              e -> assertThat(e.serverMessage()).containsIgnoringCase("QUORUM"));
      assertThat(client.withConsistency(ConsistencyLevel.CONSISTENCY_ONE).get("e01")).isPresent();
    }
  }

  @Test
  void aReadRefusedForTooFewReplicasIsRetriedUntilAReplicaIsBack() throws Exception {
    try (var client = client().build()) {
      client.put(AlliClientTest.entity("e1", "doc", 1, 0));
    }
    var counter = new AttemptCounter();
    // a long retry window: its backoffs (random in [0, bound]) must outlast the restart below
    var retry = new RetrySettings(10, Duration.ofSeconds(2), Duration.ofSeconds(5), 2.0);
    try (var client =
        AlliClient.builder()
            .nodes(addresses.get(0))
            .plaintext()
            .apiKey(LocalCluster.KEY)
            .consistency(ConsistencyLevel.CONSISTENCY_QUORUM)
            .retry(retry)
            .deadline(Duration.ofSeconds(120))
            .intercept(counter)
            .build()) {
      cluster.stop(1);
      cluster.stop(2);
      CompletableFuture<Optional<Entity>> read =
          CompletableFuture.supplyAsync(() -> client.get("e1"));
      // n1 answered UNAVAILABLE ("not enough replicas") at least once and the client retried
      Awaitility.await("a retried attempt")
          .atMost(Duration.ofSeconds(60))
          .until(() -> counter.attempts.get() >= 2);
      assertThat(read).isNotDone();
      cluster.restart(1);
      assertThat(read.get(120, TimeUnit.SECONDS)).isPresent();
      assertThat(counter.attempts.get()).isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void adminClientPerNodeReportsTheRingAndRunsMaintenance() {
    var builder =
        AlliAdminClient.builder()
            .plaintext()
            .apiKey(LocalCluster.ADMIN_KEY)
            .deadline(Duration.ofSeconds(30));
    var admins = new ArrayList<AlliAdminClient>();
    for (String a : addresses) {
      admins.add(builder.target(a).build()); // one builder, one client per node
    }
    try {
      for (int i = 0; i < 3; i++) {
        assertThat(admins.get(i).nodeInfo().getHostId()).isEqualTo(LocalCluster.host(i));
        assertThat(admins.get(i).target()).isEqualTo(addresses.get(i));
      }
      assertThat(admins.get(0).ringView().getMembersList())
          .extracting(RingMember::getHostId)
          .containsExactly("n1", "n2", "n3");

      try (var client = client().build()) {
        client.put(AlliClientTest.entity("e1", "doc", 1, 0));
      }
      AlliAdminClient n1 = admins.get(0);
      n1.flush();
      n1.compact();
      assertThat(n1.reloadSecrets()).isNotNull();

      RepairReport started = n1.startRepair(List.of(), 1.0, 4);
      assertThat(started.getRepairId()).isNotEmpty();
      Awaitility.await("repair " + started.getRepairId())
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () ->
                  n1.repairStatus(started.getRepairId()).getState() != RepairReport.State.RUNNING);
      assertThat(n1.repairStatus().getState()).isEqualTo(RepairReport.State.COMPLETED);
      assertThat(n1.cancelRepair(started.getRepairId()).getRepairId())
          .isEqualTo(started.getRepairId());
      assertThat(n1.repairHistory().getRecentList())
          .extracting(RepairReport::getRepairId)
          .contains(started.getRepairId());

      assertThat(n1.decommissionStatus().getPhase())
          .isIn(DecommissionReply.Phase.NOT_STARTED, DecommissionReply.Phase.PHASE_UNSPECIFIED);
      assertThatThrownBy(n1::decommission)
          .isInstanceOfSatisfying(
              FailedPreconditionException.class,
              e -> assertThat(e.serverMessage()).contains("static ring"));
      assertThatThrownBy(() -> n1.removeNode("n3")).isInstanceOf(FailedPreconditionException.class);
      // RF 3 on three nodes: every node replicates every key, so cleanup keeps everything.
      assertThat(n1.withDeadline(Duration.ofSeconds(60)).cleanup().getRowsRemoved()).isZero();

      assertThat(admins.get(2).withDeadline(Duration.ofSeconds(60)).drain().getHintsRemaining())
          .isZero();

      try (var dataKey =
          AlliAdminClient.builder()
              .plaintext()
              .apiKey(LocalCluster.KEY)
              .target(addresses.get(0))
              .build()) {
        assertThatThrownBy(dataKey::nodeInfo)
            .isInstanceOfSatisfying(
                PermissionDeniedException.class,
                e -> assertThat(e.serverMessage()).contains("lacks scope admin"));
      }
    } finally {
      admins.forEach(AlliAdminClient::close);
    }
  }
}
