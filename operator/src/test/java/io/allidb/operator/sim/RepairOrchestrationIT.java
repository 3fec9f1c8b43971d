package io.allidb.operator.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.allidb.api.proto.Entity;
import io.allidb.api.proto.TextChunk;
import io.allidb.dataplane.storage.row.Row;
import io.allidb.dataplane.storage.row.RowKey;
import io.allidb.operator.AlliClusters;
import io.allidb.operator.TestingClock;
import io.allidb.operator.api.AlliCluster;
import io.allidb.operator.api.AlliClusterConditions;
import io.allidb.operator.api.Day2Annotations;
import io.allidb.operator.api.RepairStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Repair orchestration (issue 8) on a {@link SimulatedCluster}: the operator plans and starts
 * repairs through the nodes' admin API, and the checks look into every node's own storage and
 * repair log. Divergence is injected by writing to one node's local store only, which is what a
 * replica that got a write (or a delete) the others missed holds.
 */
@EnableKubernetesMockClient(crud = true)
@Timeout(240)
class RepairOrchestrationIT {
  static final String NS = AlliClusters.NAMESPACE;
  static final Duration WAIT = ClusterDriver.WAIT;
  static final String TENANT = SimulatedCluster.TENANT;

  KubernetesClient client;
  @TempDir Path root;
  SimulatedCluster sim;
  ClusterDriver demo;

  void start(Clock clock) throws IOException {
    sim = SimulatedCluster.start(client, root, NS, clock);
    demo = new ClusterDriver(sim, "demo");
  }

  @AfterEach
  void stop() {
    if (demo != null) {
      demo.close();
    }
    if (sim != null) {
      sim.close();
    }
  }

  /**
   * Three nodes at RF 3 hold every row. One node gets rows the others never saw, another deletes
   * rows only locally, the third holds newer versions of some rows; a repair asked for with {@code
   * allidb.io/repair-now} (scheduled repair off) leaves the three stores identical row by row: the
   * same winning version of every key, timestamps and tombstones included (a tombstone must reach
   * every replica before gc_grace, or the row comes back).
   */
  @Test
  void aRequestedRepairLeavesEveryReplicaIdenticalAfterInjectedDivergence() throws Exception {
    start(Clock.systemUTC());
    var cluster = SimulatedCluster.cluster(3);
    cluster.getSpec().getRepair().setEnabled(false);
    cluster.getSpec().getRepair().setIntensity(1.0);
    demo.create(cluster);
    demo.awaitReady(3);
    var pods = List.of("demo-default-0", "demo-default-1", "demo-default-2");
    var key = demo.tenantKey();
    for (int k = 0; k < 60; k++) {
      demo.put(pods.get(k % 3), key, "row-" + k, 1);
    }
    await("every replica holds the 60 rows written at QUORUM")
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              for (var pod : pods) {
                assertThat(rows(pod)).as(pod).hasSize(60).isEqualTo(rows(pods.get(0)));
              }
            });

    // the divergence: what three replicas that each missed the others' writes hold
    for (int k = 0; k < 5; k++) {
      demo.node("demo-default-0").server().entityStore().put(TENANT, entity("only-on-0-" + k, 1));
      demo.node("demo-default-1").server().entityStore().delete(TENANT, "row-" + k);
      demo.node("demo-default-2").server().entityStore().put(TENANT, entity("row-" + (10 + k), 2));
    }
    var before = new HashMap<String, Map<RowKey, Row>>();
    for (var pod : pods) {
      before.put(pod, rows(pod));
    }
    assertThat(before.get("demo-default-0")).hasSize(65);
    assertThat(before.get("demo-default-1")).hasSize(60).isNotEqualTo(before.get("demo-default-0"));
    assertThat(before.get("demo-default-2")).hasSize(60).isNotEqualTo(before.get("demo-default-1"));

    demo.edit(c -> annotate(c, Day2Annotations.REPAIR_NOW, "divergence-1"));
    var done = awaitRoundFor("divergence-1");
    System.out.println("[repair] status after the round: " + Serialization.asJson(done));
    assertThat(demo.condition(AlliClusterConditions.REPAIR_HEALTHY).getStatus()).isEqualTo("True");

    var after = new HashMap<String, Map<RowKey, Row>>();
    for (var pod : pods) {
      after.put(pod, rows(pod));
    }
    var reference = after.get("demo-default-0");
    assertThat(reference).hasSize(65);
    for (var pod : pods) {
      var mine = after.get(pod);
      assertThat(mine.keySet()).as("keys on %s", pod).isEqualTo(reference.keySet());
      for (var e : reference.entrySet()) {
        assertThat(mine.get(e.getKey())).as("%s on %s", e.getKey(), pod).isEqualTo(e.getValue());
      }
    }
    for (int k = 0; k < 5; k++) {
      assertThat(reference.get(RowKey.of(TENANT, "only-on-0-" + k)))
          .as("a write only node 0 got")
          .isEqualTo(before.get("demo-default-0").get(RowKey.of(TENANT, "only-on-0-" + k)));
      assertThat(reference.get(RowKey.of(TENANT, "row-" + k)))
          .as("a delete only node 1 got: its tombstone everywhere")
          .isEqualTo(before.get("demo-default-1").get(RowKey.of(TENANT, "row-" + k)))
          .satisfies(r -> assertThat(r.tombstone()).isTrue());
      assertThat(reference.get(RowKey.of(TENANT, "row-" + (10 + k))))
          .as("a newer version only node 2 got")
          .isEqualTo(before.get("demo-default-2").get(RowKey.of(TENANT, "row-" + (10 + k))));
    }
    // and the API agrees: the newer version reads back at QUORUM through every pod
    for (var pod : pods) {
      assertThat(demo.version(pod, key, "row-12")).isEqualTo(2);
    }
  }

  /**
   * A slow repair round (low intensity) is in flight when the cluster scales from four to five
   * nodes: while the ring operation runs the round reports itself paused and starts nothing; after
   * it the round re-plans for the five-node ring (80 ranges instead of 64) and completes. Four
   * nodes, not three: at RF 3 one repair covers a whole three-node ring and, on a quiet machine,
   * ended before the scale-up, leaving nothing to re-plan (seen on a clean-clone run); four nodes
   * have several replica sets to repair one after the other. With RF 3 on four or five nodes any
   * two replica sets share a node, so even with parallelism 2 at most one repair may run at any
   * time: checked in the operator's status and in every node's own repair log.
   */
  @Test
  void aRoundPausesDuringAScaleUpAndCompletesReplannedAfterIt() throws Exception {
    start(Clock.systemUTC());
    var cluster = SimulatedCluster.cluster(4);
    cluster.getSpec().getRepair().setEnabled(false);
    cluster.getSpec().getRepair().setIntensity(0.05);
    cluster.getSpec().getRepair().setParallelism(2);
    demo.create(cluster);
    demo.awaitReady(4);
    var key = demo.tenantKey();
    for (int k = 0; k < 300; k++) {
      demo.put("demo-default-" + (k % 4), key, "row-" + k, 1);
    }
    long asked = System.currentTimeMillis();
    demo.edit(c -> annotate(c, Day2Annotations.REPAIR_NOW, "before-scale-up"));
    await("a repair running")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> demo.fetch().getStatus().getRepair(),
            r -> r != null && r.getRound() != null && !r.getRunning().isEmpty());
    demo.edit(c -> c.getSpec().setReplicas(5));

    // a status that shows the ring operation may still list repairs started before it, never one
    // started while it runs: the running repairs of every such status are those of the first one
    boolean sawPaused = false;
    java.util.Set<String> beforeOperation = null;
    var totals = new TreeSet<Integer>();
    int mostRunning = 0;
    RepairStatus last;
    long end = System.nanoTime() + WAIT.toNanos();
    while (true) {
      var status = demo.fetch().getStatus();
      last = status.getRepair();
      if (last != null && last.getRound() != null) {
        totals.add(last.getRangesTotal());
        mostRunning = Math.max(mostRunning, last.getRunning().size());
        if (status.getRingOperation() != null) {
          var ids = new java.util.TreeSet<String>();
          last.getRunning().forEach(r -> ids.add(r.getRepairId()));
          if (beforeOperation == null) {
            beforeOperation = ids;
          }
          assertThat(beforeOperation)
              .as(
                  "no repair started during the ring operation; status %s",
                  Serialization.asJson(status))
              .containsAll(ids);
          if (last.getPausedReason() != null && last.getPausedReason().contains("ring operation")) {
            sawPaused = true;
          }
        }
      }
      if (last != null
          && "before-scale-up".equals(last.getRequest())
          && last.getRound() == null
          && last.getLastCompleted() != null) {
        break;
      }
      assertThat(System.nanoTime())
          .as("round complete within %s; status %s", WAIT, Serialization.asJson(status))
          .isLessThan(end);
      Thread.sleep(200);
    }
    System.out.println(
        "[repair] totals seen "
            + totals
            + ", running when the ring operation was first seen "
            + beforeOperation
            + "; last "
            + Serialization.asJson(last));
    assertThat(sawPaused).as("status showed the round paused by the ring operation").isTrue();
    assertThat(totals).as("planned for 4 x 16 ranges, re-planned for 5 x 16").contains(64, 80);
    assertThat(mostRunning).as("repairs at once in status").isEqualTo(1);
    assertThat(client.v1().events().inNamespace(NS).list().getItems())
        .as("on call sees the re-plan")
        .anyMatch(
            e -> "RepairRound".equals(e.getReason()) && e.getMessage().contains("re-planned"));
    demo.awaitReady(5);

    // the nodes' own logs: one repair at a time cluster-wide (the next one starts only after the
    // operator saw the previous one end)
    var repairs = new ArrayList<io.allidb.dataplane.cluster.repair.RepairProgress>();
    for (var pod : sim.pods().runningPods()) {
      for (var p : demo.node(pod).server().repairs().recent()) {
        if (p.startedAtMillis() >= asked) {
          repairs.add(p);
        }
      }
    }
    repairs.sort(java.util.Comparator.comparingLong(p -> p.startedAtMillis()));
    System.out.println("[repair] node repairs: " + repairs);
    assertThat(repairs).hasSizeGreaterThanOrEqualTo(2);
    for (int i = 0; i < repairs.size(); i++) {
      var p = repairs.get(i);
      assertThat(p.finishedAtMillis()).as("finished: %s", p).isPositive();
      if (i + 1 < repairs.size()) {
        assertThat(repairs.get(i + 1).startedAtMillis())
            .as("%s started after %s ended", repairs.get(i + 1).id(), p.id())
            .isGreaterThanOrEqualTo(p.finishedAtMillis());
      }
    }
  }

  /**
   * Daily schedule, one-hour deadline, a hand-moved clock: after a complete round, two hours with
   * no round (the schedule is sparser than the deadline) turn RepairHealthy False (Overdue); the
   * next scheduled round completes and turns it True again.
   */
  @Test
  void repairHealthyTurnsFalseWhenRepairCannotKeepUpAndTrueAfterACompleteRound() throws Exception {
    var start = Instant.now().truncatedTo(ChronoUnit.HOURS).plus(Duration.ofMinutes(30));
    var clock = new TestingClock(start);
    int hour = start.atZone(ZoneOffset.UTC).getHour();
    System.out.println("[repair] fake clock starts " + start + ", schedule daily at " + hour);
    start(clock);
    var cluster = SimulatedCluster.cluster(3);
    cluster.getSpec().getRepair().setEnabled(true);
    cluster.getSpec().getRepair().setSchedule("0 " + hour + " * * *");
    cluster.getSpec().getRepair().setDeadline("1h");
    cluster.getSpec().getRepair().setIntensity(1.0);
    demo.create(cluster);
    demo.awaitReady(3);

    // the schedule's last tick (30 minutes ago) has no round yet: one starts and completes
    var first =
        await("the first scheduled round complete")
            .atMost(WAIT)
            .pollInterval(Duration.ofMillis(500))
            .until(
                () -> demo.fetch().getStatus().getRepair(),
                r -> r != null && r.getRound() == null && r.getLastCompleted() != null);
    awaitRepairHealthy("True", "Idle");

    // two hours without a round, one allowed: repair does not keep up with the promise
    clock.advance(Duration.ofHours(2));
    demo.edit(c -> c.getSpec().getRepair().setIntensity(0.9)); // any edit: a reconcile now
    var overdue = awaitRepairHealthy("False", "Overdue");
    assertThat(overdue.getMessage())
        .contains(first.getLastCompleted())
        .contains("older than the deadline");

    // the next tick (23 h 30 min after the start) starts a round; its completion restores it
    clock.advance(Duration.ofHours(22));
    demo.edit(c -> c.getSpec().getRepair().setIntensity(1.0));
    var second =
        await("the next scheduled round complete")
            .atMost(WAIT)
            .pollInterval(Duration.ofMillis(500))
            .until(
                () -> demo.fetch().getStatus().getRepair(),
                r ->
                    r != null
                        && r.getRound() == null
                        && r.getLastCompleted() != null
                        && !r.getLastCompleted().equals(first.getLastCompleted()));
    var healthy = awaitRepairHealthy("True", "Idle");
    assertThat(Instant.parse(second.getLastScheduled()))
        .isEqualTo(start.plus(Duration.ofMinutes(23 * 60 + 30)));
    assertThat(healthy.getMessage()).contains(second.getLastCompleted());
  }

  // ---------------------------------------------------------------------------------------------

  io.fabric8.kubernetes.api.model.Condition awaitRepairHealthy(String status, String reason) {
    return await("RepairHealthy " + status + " (" + reason + ")")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> demo.condition(AlliClusterConditions.REPAIR_HEALTHY),
            c -> status.equals(c.getStatus()) && reason.equals(c.getReason()));
  }

  /** Every row of the tenant in {@code pod}'s own storage: the winning version of each key. */
  Map<RowKey, Row> rows(String pod) throws IOException {
    var out = new TreeMap<RowKey, Row>();
    demo.node(pod)
        .server()
        .entityStore()
        .storage()
        .forEachRow(k -> k.tenant().equals(TENANT), r -> out.put(r.key(), r));
    return out;
  }

  /** What {@link ClusterDriver#put} writes, with {@code version} in its chunk metadata. */
  static Entity entity(String id, long version) {
    return Entity.newBuilder()
        .setEntityId(id)
        .addChunks(
            TextChunk.newBuilder()
                .setChunkId(id + "#0")
                .setText("v")
                .putMetadata("v", Long.toString(version)))
        .build();
  }

  static void annotate(AlliCluster c, String annotation, String value) {
    if (c.getMetadata().getAnnotations() == null) {
      c.getMetadata().setAnnotations(new HashMap<>());
    }
    c.getMetadata().getAnnotations().put(annotation, value);
  }

  /** Waits until the round started for repair-now {@code token} has completed. */
  RepairStatus awaitRoundFor(String token) {
    return await("the repair round asked for with " + token + " complete")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> demo.fetch().getStatus().getRepair(),
            r ->
                r != null
                    && token.equals(r.getRequest())
                    && r.getRound() == null
                    && r.getLastCompleted() != null);
  }
}
