package io.allidb.operator.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.allidb.operator.AlliClusters;
import io.allidb.operator.api.AlliCluster;
import io.allidb.operator.api.AlliClusterConditions;
import io.allidb.operator.api.RingOperationType;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operator scenarios against a simulated Kubernetes cluster with real data-plane nodes ({@link
 * SimulatedCluster}): the operator, the nodes and the admin API are the production code; only the
 * API server (fabric8 mock, CRUD) and the StatefulSet controller/kubelet are simulated.
 */
@EnableKubernetesMockClient(crud = true)
@Timeout(240)
class SimulatedClusterIT {
  static final String NS = AlliClusters.NAMESPACE;
  static final Duration WAIT = ClusterDriver.WAIT;

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

  @Test
  void threeNodesBecomeReadyServeDataAndADeletedPodComesBackWithItsData() throws Exception {
    create(SimulatedCluster.cluster(3));
    awaitReady(3);
    var running = sim.pods().runningPods();
    assertThat(running).containsExactly("demo-default-0", "demo-default-1", "demo-default-2");
    assertThat(members()).containsExactlyInAnyOrderElementsOf(running);
    for (int k = 0; k < 50; k++) {
      put(running.get(k % 3), "k" + k, 1);
    }
    assertThat(version("demo-default-2", "k0")).isEqualTo(1);

    // RF 3 on three nodes: every node holds every row, the deleted one included
    var uid = pod("demo-default-1").getMetadata().getUid();
    client.pods().inNamespace(NS).withName("demo-default-1").delete();
    await("demo-default-1 recreated")
        .atMost(WAIT)
        .until(
            () ->
                pod("demo-default-1") != null
                    && !uid.equals(pod("demo-default-1").getMetadata().getUid()));
    awaitReady(3);
    assertThat(members()).contains("demo-default-1");
    // the Ready status can still be the one from before the deletion: wait for the node itself
    var node =
        await("demo-default-1's node started")
            .atMost(WAIT)
            .until(() -> sim.pods().node("demo-default-1"), java.util.Objects::nonNull);
    for (int k = 0; k < 50; k++) {
      assertThat(
              node.server()
                  .entityStore()
                  .storage()
                  .getRow(
                      io.allidb.dataplane.storage.row.RowKey.of(SimulatedCluster.TENANT, "k" + k)))
          .as("k%d kept on the volume of the restarted pod", k)
          .isPresent();
    }
  }

  /**
   * Writes go in between the steps, not during them. A run with a client writing throughout saw the
   * second decommission refused ("the ring would keep 2 members") with four NORMAL members; the
   * cause was not the writes but two pods that had joined at once with the same tokens, fixed in
   * the data plane (docs/operator.md, ConcurrentJoinIT). Writing throughout is the next check.
   */
  @Test
  void scaleThreeToFiveToThreeKeepsEveryAcknowledgedWriteAndSurvivesAnOperatorRestart() {
    create(SimulatedCluster.cluster(3));
    awaitReady(3);
    var acked = new ArrayList<String>();
    writeBatch("before", acked);

    edit(c -> c.getSpec().setReplicas(5));
    awaitReady(5);
    assertThat(members()).hasSize(5);
    writeBatch("at-five", acked);

    edit(c -> c.getSpec().setReplicas(3));
    await("a decommission in flight")
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              var status = fetch().getStatus();
              assertThat(status.getRingOperation())
                  .as("status %s; hints %s", Serialization.asJson(status), demo.hints())
                  .isNotNull()
                  .extracting(op -> op.getType())
                  .isEqualTo(RingOperationType.Decommission);
            });
    var target = fetch().getStatus().getRingOperation().getTargetPod();
    assertThat(target).as("highest ordinal first").isEqualTo("demo-default-4");
    // the operator dies mid-decommission; a new one resumes from status
    sim.stopOperator();
    sim.startOperator();
    awaitReady(3);
    writeBatch("after", acked);

    assertThat(members())
        .containsExactlyInAnyOrder("demo-default-0", "demo-default-1", "demo-default-2");
    assertThat(statefulSet().getSpec().getReplicas()).isEqualTo(3);
    await("pods 3 and 4 gone")
        .atMost(WAIT)
        .until(() -> pod("demo-default-3") == null && pod("demo-default-4") == null);
    assertThat(
            client.persistentVolumeClaims().inNamespace(NS).withName("data-demo-default-4").get())
        .as("onScaleDown: Retain keeps the claim")
        .isNotNull();
    for (String id : acked) {
      for (var pod : List.of("demo-default-0", "demo-default-1", "demo-default-2")) {
        assertThat(version(pod, id)).as("%s read at QUORUM through %s", id, pod).isEqualTo(1);
      }
    }
  }

  @Test
  void anInvalidSpecIsAConditionAndPauseStopsChanges() {
    var one = SimulatedCluster.cluster(1);
    one.getSpec().setReplicationFactor(1);
    create(one);
    awaitReady(1);
    var generation = fetch().getMetadata().getGeneration();

    edit(c -> c.getSpec().setReplicationFactor(3)); // three copies on one node
    await("invalid spec reported")
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(fetch().getStatus().getObservedGeneration()).isGreaterThan(generation);
              assertThat(condition(AlliClusterConditions.DEGRADED).getReason())
                  .isEqualTo("InvalidSpec");
              assertThat(condition(AlliClusterConditions.DEGRADED).getMessage())
                  .contains("spec.replicationFactor 3 exceeds the 1 nodes asked for");
            });
    assertThat(statefulSet().getSpec().getReplicas()).as("nothing changed").isEqualTo(1);
    assertThat(sim.pods().runningPods()).containsExactly("demo-default-0");

    edit(
        c -> {
          c.getSpec().setReplicationFactor(1);
          if (c.getMetadata().getAnnotations() == null) {
            c.getMetadata().setAnnotations(new java.util.HashMap<>());
          }
          c.getMetadata().getAnnotations().put(AlliCluster.PAUSE_ANNOTATION, "true");
          c.getSpec().setReplicas(2);
        });
    var paused = fetch().getMetadata().getGeneration();
    await("pause observed")
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(fetch().getStatus().getObservedGeneration()).isEqualTo(paused);
              assertThat(condition(AlliClusterConditions.PROGRESSING).getReason())
                  .isEqualTo("Paused");
            });
    assertThat(statefulSet().getSpec().getReplicas())
        .as("the reconcile that saw replicas 2 while paused did not scale")
        .isEqualTo(1);

    edit(c -> c.getMetadata().getAnnotations().remove(AlliCluster.PAUSE_ANNOTATION));
    awaitReady(2);
  }

  // ---------------------------------------------------------------------------------------------

  void awaitReady(int nodes) {
    demo.awaitReady(nodes);
  }

  void create(AlliCluster cluster) {
    demo.create(cluster);
  }

  AlliCluster fetch() {
    return demo.fetch();
  }

  void edit(Consumer<AlliCluster> change) {
    demo.edit(change);
  }

  Condition condition(String type) {
    return demo.condition(type);
  }

  List<String> members() {
    return demo.members();
  }

  void put(String pod, String id, long version) {
    demo.put(pod, demo.tenantKey(), id, version);
  }

  long version(String pod, String id) {
    return demo.version(pod, demo.tenantKey(), id);
  }

  io.fabric8.kubernetes.api.model.Pod pod(String name) {
    return demo.pod(name);
  }

  io.fabric8.kubernetes.api.model.apps.StatefulSet statefulSet() {
    return demo.statefulSet("default");
  }

  /** 30 writes at QUORUM through the pods that stay; each acknowledged one is recorded. */
  void writeBatch(String prefix, List<String> acked) {
    for (int k = 0; k < 30; k++) {
      var id = prefix + "-" + k;
      put("demo-default-" + (k % 3), id, 1);
      acked.add(id);
    }
  }
}
