package io.allidb.operator.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.allidb.operator.AlliClusters;
import io.allidb.operator.api.AlliCluster;
import io.allidb.operator.api.AlliClusterConditions;
import io.allidb.operator.api.PvcRetention;
import io.allidb.operator.api.RingMemberState;
import io.allidb.operator.api.RingOperationPhase;
import io.allidb.operator.api.RingOperationType;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scaling on the simulated cluster with real nodes ({@link SimulatedCluster}): a scale-down under a
 * steady QUORUM writer, the desired size changed while a join or a leave is in flight, a named node
 * replaced by annotation, and the claim policies on scale-down and on deletion. Every wait is
 * bounded by {@link ClusterDriver#WAIT}; nothing asserts on time.
 */
@EnableKubernetesMockClient(crud = true)
@Timeout(300)
class ScalingScenariosIT {
  static final String NS = AlliClusters.NAMESPACE;
  static final List<String> FIRST_THREE =
      List.of("demo-default-0", "demo-default-1", "demo-default-2");

  KubernetesClient client;
  @TempDir Path root;
  SimulatedCluster sim;
  ClusterDriver demo;

  @BeforeEach
  void start() throws Exception {
    sim = SimulatedCluster.start(client, root, NS);
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
   * 5 -> 3 while a client writes at QUORUM through the pods that stay. The design promises that an
   * acknowledged write survives (a leaving node streams its ranges before LEFT); it does not
   * promise that no write fails while ownership moves, so failures are counted and printed, not
   * asserted. The scale-down also has to announce each decommission with a Started and a Completed
   * event.
   */
  @Test
  void scaleDownFiveToThreeWhileAClientWritesAtQuorumKeepsEveryAcknowledgedWrite() {
    demo.create(SimulatedCluster.cluster(5));
    demo.awaitReady(5);
    var key = demo.tenantKey();
    var seed = System.nanoTime();
    System.out.println("[scaling] writer seed " + seed);
    List<String> acked;
    try (var writer = new QuorumWriter(demo, key, FIRST_THREE, seed)) {
      writer.awaitAcked(20);
      demo.edit(c -> c.getSpec().setReplicas(3));
      // a stuck operator (a decommission refused for good) fails here, within the bound
      demo.awaitReady(3);
      writer.awaitAcked(writer.acked().size() + 20); // and the cluster still takes writes
      writer.stop();
      acked = writer.acked();
      System.out.printf(
          "[scaling] 5 -> 3 under writes: %d acknowledged, %d failed %s%n",
          acked.size(), writer.failed(), writer.failures());
    }
    assertThat(demo.members()).containsExactlyInAnyOrderElementsOf(FIRST_THREE);
    assertThat(demo.statefulSet("default").getSpec().getReplicas()).isEqualTo(3);
    for (var id : acked) {
      for (var pod : FIRST_THREE) {
        assertThat(demo.version(pod, key, id))
            .as("%s read at QUORUM through %s", id, pod)
            .isEqualTo(1);
      }
    }
    for (var pod : List.of("demo-default-4", "demo-default-3")) {
      assertEvent("DecommissionStarted", "Decommission of " + pod + " started");
      assertEvent("DecommissionCompleted", "Decommission of " + pod + " completed");
    }

    // deletion with onDelete: Retain (the default): the finalizer keeps every claim
    client.resource(demo.fetch()).delete();
    await("the AlliCluster deleted").atMost(ClusterDriver.WAIT).until(() -> demo.fetch() == null);
    for (int ordinal = 0; ordinal < 5; ordinal++) {
      assertThat(demo.claim("demo-default-" + ordinal))
          .as("onDelete Retain keeps data-demo-default-%d", ordinal)
          .isNotNull();
    }
  }

  /**
   * docs/operator.md: a join in flight whose ordinal is still wanted finishes; a leave in flight
   * cannot be undone and finishes; then the planner continues toward the new size. So 3 -> 5
   * changed to 4 while pod 3 joins ends with pods 0..3 and pod 4 never created, and 5 -> 3 changed
   * to 4 while pod 4's decommission is in flight ends with pods 0..3, pod 3 never touched.
   */
  @Test
  void aDesiredSizeChangedMidwayFinishesTheStepInFlightAndEndsAtTheNewSize() {
    demo.create(SimulatedCluster.cluster(3));
    demo.awaitReady(3);
    var key = demo.tenantKey();
    var acked = new ArrayList<String>();
    writeBatch(key, "at-three", acked);

    demo.edit(c -> c.getSpec().setReplicas(5));
    awaitOperation(RingOperationType.Join, "demo-default-3", null);
    demo.edit(c -> c.getSpec().setReplicas(4));
    demo.awaitReady(4);
    assertThat(demo.members())
        .containsExactlyInAnyOrder(
            "demo-default-0", "demo-default-1", "demo-default-2", "demo-default-3");
    assertThat(demo.statefulSet("default").getSpec().getReplicas()).isEqualTo(4);
    assertThat(demo.claim("demo-default-4")).as("pod 4 was never created").isNull();
    writeBatch(key, "at-four", acked);

    demo.edit(c -> c.getSpec().setReplicas(5));
    demo.awaitReady(5);
    var pod3 = demo.pod("demo-default-3").getMetadata().getUid();
    demo.edit(c -> c.getSpec().setReplicas(3));
    // any phase: a small leave can go from Requested to Shrinking between two status writes
    awaitOperation(RingOperationType.Decommission, "demo-default-4", null);
    demo.edit(c -> c.getSpec().setReplicas(4));
    System.out.println(
        "[scaling] replicas 4 set while "
            + Serialization.asJson(demo.fetch().getStatus().getRingOperation()));
    demo.awaitReady(4);
    assertThat(demo.members())
        .containsExactlyInAnyOrder(
            "demo-default-0", "demo-default-1", "demo-default-2", "demo-default-3");
    assertThat(demo.statefulSet("default").getSpec().getReplicas()).isEqualTo(4);
    assertThat(demo.pod("demo-default-3").getMetadata().getUid())
        .as("pod 3 was not decommissioned nor restarted")
        .isEqualTo(pod3);
    await("pod 4 gone").atMost(ClusterDriver.WAIT).until(() -> demo.pod("demo-default-4") == null);
    for (var id : acked) {
      for (var pod : demo.members()) {
        assertThat(demo.version(pod, key, id))
            .as("%s read at QUORUM through %s", id, pod)
            .isEqualTo(1);
      }
    }
  }

  /**
   * The annotation {@code allidb.io/replace-node} names a pod whose node is removed from the ring.
   * A StatefulSet keeps its ordinals contiguous, so the pod comes back on a new, empty claim as a
   * new node (docs/adr/0005). The data moves away before LEFT and back on the join: nothing lost.
   */
  @Test
  void aNodeNamedByAnnotationIsDecommissionedAndReplacedByAFreshNode() {
    demo.create(SimulatedCluster.cluster(4));
    demo.awaitReady(4);
    var key = demo.tenantKey();
    var acked = new ArrayList<String>();
    writeBatch(key, "before", acked);
    var oldPod = demo.pod("demo-default-1").getMetadata().getUid();
    var oldClaim = demo.claim("demo-default-1").getMetadata().getUid();

    demo.edit(c -> annotate(c, AlliCluster.REPLACE_NODE_ANNOTATION, "demo-default-1"));
    awaitOperation(RingOperationType.Replace, "demo-default-1", null);
    await("demo-default-1 replaced")
        .atMost(ClusterDriver.WAIT)
        .untilAsserted(
            () -> {
              var status = demo.fetch().getStatus();
              assertThat(status.getReplacedNode())
                  .as("status %s", Serialization.asJson(status))
                  .isEqualTo("demo-default-1");
            });
    demo.awaitReady(4);
    assertThat(demo.pod("demo-default-1").getMetadata().getUid()).isNotEqualTo(oldPod);
    assertThat(demo.claim("demo-default-1").getMetadata().getUid())
        .as("the replaced node starts on a new claim")
        .isNotEqualTo(oldClaim);
    assertThat(demo.statefulSet("default").getSpec().getReplicas()).isEqualTo(4);
    assertEvent("ReplaceStarted", "Replace of demo-default-1 started");
    assertEvent("ReplaceCompleted", "Replace of demo-default-1 completed");
    writeBatch(key, "after", acked);
    for (var id : acked) {
      for (var pod : demo.members()) {
        assertThat(demo.version(pod, key, id))
            .as("%s read at QUORUM through %s", id, pod)
            .isEqualTo(1);
      }
    }

    // naming a pod the cluster cannot have is refused with a condition, nothing moves (a name
    // above a rack's size counts as scaled away: RingPlannerReplaceTest)
    demo.edit(c -> annotate(c, AlliCluster.REPLACE_NODE_ANNOTATION, "demo-nosuchrack-0"));
    await("the request refused")
        .atMost(ClusterDriver.WAIT)
        .untilAsserted(
            () ->
                assertThat(demo.condition(AlliClusterConditions.DEGRADED).getReason())
                    .isEqualTo("InvalidReplaceRequest"));
    assertThat(demo.fetch().getStatus().getRingOperation()).isNull();
  }

  /**
   * onScaleDown: Delete removes data-demo-default-3 once its node LEFT and its pod is gone; the
   * next scale-up gets a fresh claim and the node joins anew. onDelete: Delete removes every claim
   * through the finalizer (the StatefulSets are then garbage-collected, played here by the test).
   */
  @Test
  void claimPolicyDeleteRemovesClaimsOnScaleDownAndOnDeletion() {
    var cluster = SimulatedCluster.cluster(4);
    cluster.getSpec().getPvcRetentionPolicy().setOnScaleDown(PvcRetention.Delete);
    cluster.getSpec().getPvcRetentionPolicy().setOnDelete(PvcRetention.Delete);
    demo.create(cluster);
    demo.awaitReady(4);
    var key = demo.tenantKey();
    var acked = new ArrayList<String>();
    writeBatch(key, "at-four", acked);
    var oldClaim = demo.claim("demo-default-3").getMetadata().getUid();

    demo.edit(c -> c.getSpec().setReplicas(3));
    demo.awaitReady(3);
    await("data-demo-default-3 deleted")
        .atMost(ClusterDriver.WAIT)
        .until(() -> demo.claim("demo-default-3") == null);

    demo.edit(c -> c.getSpec().setReplicas(4));
    demo.awaitReady(4);
    assertThat(demo.claim("demo-default-3").getMetadata().getUid())
        .as("a fresh claim for the new node")
        .isNotEqualTo(oldClaim);
    assertThat(demo.fetch().getStatus().getRingMembers())
        .allSatisfy(m -> assertThat(m.getState()).isEqualTo(RingMemberState.NORMAL));
    writeBatch(key, "back-at-four", acked);
    for (var id : acked) {
      for (var pod : demo.members()) {
        assertThat(demo.version(pod, key, id))
            .as("%s read at QUORUM through %s", id, pod)
            .isEqualTo(1);
      }
    }

    client.resource(demo.fetch()).delete();
    await("the AlliCluster deleted").atMost(ClusterDriver.WAIT).until(() -> demo.fetch() == null);
    // the garbage collector would now delete the StatefulSets the cluster owned
    client.apps().statefulSets().inNamespace(NS).withName("demo-default").delete();
    await("every claim deleted")
        .atMost(ClusterDriver.WAIT)
        .untilAsserted(
            () ->
                assertThat(client.persistentVolumeClaims().inNamespace(NS).list().getItems())
                    .isEmpty());
  }

  // ---------------------------------------------------------------------------------------------

  /** Waits until status shows {@code type} on {@code pod} (in {@code phase}, when not null). */
  void awaitOperation(RingOperationType type, String pod, RingOperationPhase phase) {
    await(type + " of " + pod + (phase == null ? "" : " in " + phase))
        .atMost(ClusterDriver.WAIT)
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () -> {
              var status = demo.fetch().getStatus();
              var op = status == null ? null : status.getRingOperation();
              assertThat(op).as("status %s", Serialization.asJson(status)).isNotNull();
              assertThat(op.getType()).isEqualTo(type);
              assertThat(op.getTargetPod()).isEqualTo(pod);
              if (phase != null) {
                assertThat(op.getPhase()).isEqualTo(phase);
              }
            });
  }

  /** Events are written before the status that follows them: no wait needed. */
  void assertEvent(String reason, String messageStart) {
    assertThat(demo.events())
        .as("events on the cluster")
        .anySatisfy(e -> assertThat(e).startsWith(reason + ": " + messageStart));
  }

  /** 30 writes at QUORUM through the first three pods; each acknowledged one is recorded. */
  void writeBatch(String key, String prefix, List<String> acked) {
    for (int k = 0; k < 30; k++) {
      var id = prefix + "-" + k;
      demo.put(FIRST_THREE.get(k % 3), key, id, 1);
      acked.add(id);
    }
  }

  static void annotate(AlliCluster c, String annotation, String value) {
    if (c.getMetadata().getAnnotations() == null) {
      c.getMetadata().setAnnotations(new HashMap<>());
    }
    c.getMetadata().getAnnotations().put(annotation, value);
  }

  /**
   * A client writing new ids at QUORUM, about 20 a second, each through a pod chosen at random
   * (seeded) among {@code pods}; it records which writes were acknowledged and counts the rest.
   */
  static final class QuorumWriter implements AutoCloseable {
    private final List<String> acked = new ArrayList<>();
    private final AtomicInteger failed = new AtomicInteger();
    private final ConcurrentHashMap<String, Integer> failures = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    QuorumWriter(ClusterDriver demo, String key, List<String> pods, long seed) {
      var random = new Random(seed);
      thread =
          new Thread(
              () -> {
                for (int n = 0; running.get(); n++) {
                  var id = "w-" + n;
                  try {
                    demo.put(pods.get(random.nextInt(pods.size())), key, id, 1);
                    synchronized (acked) {
                      acked.add(id);
                    }
                  } catch (RuntimeException e) {
                    failed.incrementAndGet();
                    failures.merge(String.valueOf(e.getMessage()), 1, Integer::sum);
                  }
                  try {
                    Thread.sleep(50);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "quorum-writer");
      thread.start();
    }

    void awaitAcked(int count) {
      await("writer acknowledged " + count)
          .atMost(ClusterDriver.WAIT)
          .until(() -> acked().size() >= count);
    }

    List<String> acked() {
      synchronized (acked) {
        return List.copyOf(acked);
      }
    }

    int failed() {
      return failed.get();
    }

    String failures() {
      return failures.toString();
    }

    /** Stops writing and waits for the write in progress (bounded by its 5 s deadline). */
    void stop() {
      running.set(false);
      try {
        thread.join(Duration.ofSeconds(30).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void close() {
      stop();
    }
  }
}
