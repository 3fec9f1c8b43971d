package io.allidb.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.allidb.operator.AlliClusters;
import io.allidb.operator.AlliDbOperator;
import io.allidb.operator.MockApi;
import io.allidb.operator.OperatorConfig;
import io.allidb.operator.TestingClock;
import io.allidb.operator.api.AlliCluster;
import io.allidb.operator.api.AlliClusterConditions;
import io.allidb.operator.api.AlliClusterSpec;
import io.allidb.operator.api.PvcRetention;
import io.allidb.operator.api.RingOperationType;
import io.allidb.operator.model.Labels;
import io.allidb.operator.model.TemplateHash;
import io.allidb.operator.ring.SimulatedRing;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.Operator;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The real operator (JOSDK + fabric8) against fabric8's mock API server in CRUD mode, with the
 * generated CRD loaded and server-side apply switched off (the mock has none). There is no
 * StatefulSet controller here: tests create the pods themselves when they need them.
 */
@EnableKubernetesMockClient(crud = true)
@Timeout(300)
class AlliClusterOperatorIT {
  // a bound against hangs, not a timing check: 30 s was not enough at load 20 on two cores
  static final Duration WAIT = Duration.ofSeconds(90);
  static final String NS = AlliClusters.NAMESPACE;

  KubernetesClient client;
  SimulatedRing ring;
  Operator operator;

  @BeforeEach
  void startOperator() throws Exception {
    var crd =
        Serialization.unmarshal(
            Files.readString(Path.of("..", "crds", "alliclusters.allidb.io-v1.yml")),
            CustomResourceDefinition.class);
    client.resource(crd).create();
    client
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
    ring = new SimulatedRing();
    var config = new OperatorConfig(false, Set.of(), null, "test", 0);
    operator =
        AlliDbOperator.create(
            config,
            client,
            ring,
            new PrometheusRegistry(),
            new TestingClock(Instant.parse("2026-01-01T00:00:00Z")));
    operator.start();
  }

  @AfterEach
  void stopOperator() {
    operator.stop();
  }

  @Test
  void createBuildsDependentsWithOwnerReferencesAndJoinsTheFirstNode() {
    var cluster = create(AlliClusters.withReplicas(3));
    var uid = cluster.getMetadata().getUid();

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertOwned(client.configMaps().inNamespace(NS).withName("demo-config").get(), uid);
              assertOwned(client.services().inNamespace(NS).withName("demo-nodes").get(), uid);
              assertOwned(client.services().inNamespace(NS).withName("demo").get(), uid);
              assertOwned(
                  client.policy().v1().podDisruptionBudget().inNamespace(NS).withName("demo").get(),
                  uid);
              assertOwned(
                  client.serviceAccounts().inNamespace(NS).withName("demo-node").get(), uid);
              var sts = statefulSet();
              assertOwned(sts, uid);
              assertThat(sts.getSpec().getReplicas()).as("one joining node at a time").isEqualTo(1);
            });
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              var status = fetch().getStatus();
              assertThat(status).isNotNull();
              assertThat(status.getObservedGeneration()).isEqualTo(1L);
              // an assertion, not a NullPointerException: untilAsserted retries only the former
              assertThat(status.getRingOperation()).as("ring operation").isNotNull();
              assertThat(status.getRingOperation().getType()).isEqualTo(RingOperationType.Join);
              assertThat(status.getRingOperation().getTargetPod()).isEqualTo("demo-default-0");
              assertThat(condition(AlliClusterConditions.SCALING).getStatus()).isEqualTo("True");
              assertThat(condition(AlliClusterConditions.READY).getStatus()).isEqualTo("False");
              assertThat(condition(AlliClusterConditions.RING_STABLE).getStatus())
                  .isEqualTo("Unknown");
            });

    // the node starts, joins and becomes ready: the next node is let in
    // (NORMAL first: readiness follows the join, and the pod event then sees both - the test
    // must not depend on the periodic reschedule)
    ring.normal("demo-default-0", "default");
    readyPod(0);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(statefulSet().getSpec().getReplicas())
                    .as("status %s", Serialization.asJson(fetch().getStatus()))
                    .isEqualTo(2));
    // the status is patched at the end of the reconcile that grew the StatefulSet
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(fetch().getStatus().getRingMembers())
                    .extracting(m -> m.getPod())
                    .containsExactly("demo-default-0"));
    // kubectl describe tells the story: both joins started (JoinCompleted is not asserted here:
    // a reconcile may read a cached status one write behind and miss the transition; RingEvents
    // and docs/operator.md say so)
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(client.v1().events().inNamespace(NS).list().getItems())
                    .filteredOn(e -> "Normal".equals(e.getType()))
                    .extracting(e -> e.getReason() + ": " + e.getMessage())
                    .contains(
                        "JoinStarted: Join of demo-default-0 started (rack default)",
                        "JoinStarted: Join of demo-default-1 started (rack default)"));
  }

  @Test
  void specChangeRollsTheTemplateAndTheOperatorNeverWritesSpec() {
    create(AlliClusters.withReplicas(3));
    await().atMost(WAIT).until(() -> statefulSet() != null);
    var before = hash(statefulSet());

    editSpec(spec -> spec.setImage("ghcr.io/allidb/allidb:0.2.0"));
    var specWritten = Serialization.asJson(fetch().getSpec());

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(hash(statefulSet())).isNotEqualTo(before);
              assertThat(
                      statefulSet()
                          .getSpec()
                          .getTemplate()
                          .getSpec()
                          .getContainers()
                          .get(0)
                          .getImage())
                  .isEqualTo("ghcr.io/allidb/allidb:0.2.0");
              assertThat(fetch().getStatus()).isNotNull();
              assertThat(fetch().getStatus().getObservedGeneration())
                  .isEqualTo(fetch().getMetadata().getGeneration());
            });
    assertThat(Serialization.asJson(fetch().getSpec())).isEqualTo(specWritten);
  }

  @Test
  void invalidSpecBecomesAConditionAndAFixedSpecProceeds() {
    var bad = AlliClusters.withReplicas(3);
    bad.getSpec().setReplicationFactor(5); // CEL would refuse it; the mock does not run CEL
    create(bad);

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              var degraded = condition(AlliClusterConditions.DEGRADED);
              assertThat(degraded.getStatus()).isEqualTo("True");
              assertThat(degraded.getReason()).isEqualTo("InvalidSpec");
              assertThat(degraded.getMessage()).contains("replicationFactor 5 exceeds the 3 nodes");
            });
    assertThat(statefulSet()).as("nothing is created for an invalid spec").isNull();

    editSpec(spec -> spec.setReplicationFactor(3));
    await().atMost(WAIT).until(() -> statefulSet() != null);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(condition(AlliClusterConditions.DEGRADED).getStatus())
                    .isEqualTo("False"));
  }

  @Test
  void pausedClusterIsReportedButNotChanged() {
    var paused = AlliClusters.withReplicas(3);
    paused.getSpec().setPaused(true);
    create(paused);

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(fetch().getStatus()).isNotNull();
              assertThat(fetch().getStatus().getRingState()).isEqualTo("Paused");
              assertThat(condition(AlliClusterConditions.PROGRESSING).getReason())
                  .isEqualTo("Paused");
            });
    assertThat(statefulSet()).isNull();
    assertThat(client.configMaps().inNamespace(NS).withName("demo-config").get()).isNull();

    editSpec(spec -> spec.setPaused(false));
    await().atMost(WAIT).until(() -> statefulSet() != null);
  }

  @Test
  void deletionAppliesTheClaimPolicy() {
    var cluster = AlliClusters.withReplicas(3);
    cluster.getSpec().getPvcRetentionPolicy().setOnDelete(PvcRetention.Delete);
    create(cluster);
    await().atMost(WAIT).until(() -> statefulSet() != null);
    var labels = Labels.rackNode(fetch(), "default");
    client
        .resource(
            new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName("data-demo-default-0")
                .withNamespace(NS)
                .withLabels(labels)
                .endMetadata()
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .endSpec()
                .build())
        .create();

    client.resource(fetch()).delete();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(fetch()).isNull();
              assertThat(
                      client
                          .persistentVolumeClaims()
                          .inNamespace(NS)
                          .withName("data-demo-default-0")
                          .get())
                  .isNull();
            });
  }

  // ---- helpers -------------------------------------------------------------------------------

  private AlliCluster create(AlliCluster cluster) {
    cluster.getMetadata().setUid(null);
    cluster.getMetadata().setGeneration(null);
    return client.resource(cluster).create();
  }

  /** Changes the spec as a user would with {@code kubectl edit} ({@link MockApi#editCluster}). */
  private void editSpec(Consumer<AlliClusterSpec> change) {
    MockApi.editCluster(
        client,
        NS,
        "demo",
        c -> {
          change.accept(c.getSpec());
          return c;
        });
  }

  private AlliCluster fetch() {
    return client.resources(AlliCluster.class).inNamespace(NS).withName("demo").get();
  }

  private Condition condition(String type) {
    var status = fetch().getStatus();
    assertThat(status).isNotNull();
    return status.getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no condition " + type));
  }

  private StatefulSet statefulSet() {
    return client.apps().statefulSets().inNamespace(NS).withName("demo-default").get();
  }

  private static String hash(StatefulSet sts) {
    return TemplateHash.annotatedOn(sts.getSpec().getTemplate().getMetadata());
  }

  /** What the StatefulSet controller and kubelet would do for pod {@code ordinal}. */
  private void readyPod(int ordinal) {
    MockApi.readyPod(client, NS, "demo-default", ordinal);
  }

  private static void assertOwned(HasMetadata object, String uid) {
    assertThat(object).isNotNull();
    assertThat(object.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(r -> assertThat(r.getUid()).isEqualTo(uid));
  }
}
