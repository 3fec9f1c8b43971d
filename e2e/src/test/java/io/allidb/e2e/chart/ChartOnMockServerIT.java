package io.allidb.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.allidb.operator.AlliDbOperator;
import io.allidb.operator.OperatorConfig;
import io.allidb.operator.OperatorPermissions;
import io.allidb.operator.api.AlliCluster;
import io.allidb.operator.api.PvcRetention;
import io.allidb.operator.ring.UnreachableNodeAdmin;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.Operator;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The chart as installed: its rendered objects and CRD applied to fabric8's mock API server (CRUD
 * mode), the operator started with exactly the settings of the rendered Deployment, the example
 * AlliCluster reconciled - and every request the operator made checked against the rendered RBAC.
 * The operator runs with {@link UnreachableNodeAdmin} (no nodes run here; the operator's simulated
 * cluster covers the real binding), so the cluster gets its objects and its first node and then
 * waits on the ring.
 */
@EnableKubernetesMockClient(crud = true)
@Timeout(120)
class ChartOnMockServerIT {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final String USER_AGENT = "allidb-operator-under-test";
  static final String POD_NAME = "allidb-allidb-operator-5d8f7c9b4-x2v7q";

  /**
   * JOSDK's leader election asks what it may do before it starts; every authenticated user may (the
   * built-in system:basic-user ClusterRole), so the chart grants nothing for it.
   */
  static final ApiRequest SELF_REVIEWS =
      new ApiRequest("create", "authorization.k8s.io", "selfsubjectrulesreviews", null);

  KubernetesMockServer server;
  KubernetesClient client;
  KubernetesClient operatorClient;
  Operator operator;

  @AfterEach
  void stop() {
    if (operator != null) {
      operator.stop();
    }
    if (operatorClient != null) {
      operatorClient.close();
    }
  }

  @Test
  void operatorFromTheRenderedDeploymentReconcilesTheExampleWithinItsRbac() throws Exception {
    var objects =
        HelmChart.render(List.of(Path.of("src/test/resources/values/mock-server.yaml")), Map.of());
    ChartInstall.install(client, objects, List.of(HelmChart.NAMESPACE, "db"));

    var deployment = HelmChart.one(objects, Deployment.class);
    var rbac =
        RbacRules.of(objects, HelmChart.NAMESPACE, ChartInstall.serviceAccountOf(deployment));
    ChartInstall.answerRulesReviewsFrom(server, rbac);
    var config =
        OperatorConfig.fromEnvironment(ChartInstall.operatorEnvironment(deployment, POD_NAME));
    assertThat(config.serverSideApply()).isFalse();
    assertThat(config.namespaces()).containsExactly("db");
    assertThat(config.leaseNamespace()).isEqualTo(HelmChart.NAMESPACE);
    operatorClient = clientWithUserAgent();
    operator =
        AlliDbOperator.create(
            config,
            operatorClient,
            new UnreachableNodeAdmin(),
            new PrometheusRegistry(),
            Clock.systemUTC(),
            false);
    operator.start();

    var example =
        Serialization.unmarshal(
            Files.readString(HelmChart.ROOT.resolve("examples/allicluster.yaml")),
            AlliCluster.class);
    client.resource(example).create();

    // leader election through the chart's Lease settings
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(
                        client
                            .leases()
                            .inNamespace(HelmChart.NAMESPACE)
                            .withName(OperatorConfig.LEASE_NAME)
                            .get()
                            .getSpec()
                            .getHolderIdentity())
                    .isEqualTo(POD_NAME));
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(client.configMaps().inNamespace("db").withName("demo-config").get())
                  .isNotNull();
              assertThat(client.services().inNamespace("db").withName("demo").get()).isNotNull();
              assertThat(client.services().inNamespace("db").withName("demo-nodes").get())
                  .isNotNull();
              assertThat(client.serviceAccounts().inNamespace("db").withName("demo-node").get())
                  .isNotNull();
              assertThat(
                      client
                          .policy()
                          .v1()
                          .podDisruptionBudget()
                          .inNamespace("db")
                          .withName("demo")
                          .get())
                  .isNotNull();
              var sts =
                  client.apps().statefulSets().inNamespace("db").withName("demo-default").get();
              assertThat(sts).isNotNull();
              assertThat(sts.getSpec().getReplicas()).as("one joining node at a time").isEqualTo(1);
              assertThat(sts.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                  .isEqualTo(example.getSpec().getImage());
              var status = fetch().getStatus();
              assertThat(status).isNotNull();
              assertThat(status.getObservedGeneration()).isEqualTo(1L);
              assertThat(status.getRingOperation()).as("the first node is joining").isNotNull();
            });

    // out-of-band edits are put back, and a spec edit reaches the ConfigMap and StatefulSet
    client
        .services()
        .inNamespace("db")
        .withName("demo")
        .edit(
            o -> {
              o.getSpec().getPorts().remove(1);
              return o;
            });
    client
        .serviceAccounts()
        .inNamespace("db")
        .withName("demo-node")
        .edit(
            o -> {
              o.setAutomountServiceAccountToken(true);
              return o;
            });
    client
        .policy()
        .v1()
        .podDisruptionBudget()
        .inNamespace("db")
        .withName("demo")
        .edit(
            o -> {
              o.getSpec().setMaxUnavailable(new IntOrString(3));
              return o;
            });
    editCluster(
        c -> {
          c.getSpec().getConfig().put("server.vector-dimension", "384");
          c.getSpec().setImage("ghcr.io/allidb/allidb:0.1.1");
          return c;
        });
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(
                      client
                          .services()
                          .inNamespace("db")
                          .withName("demo")
                          .get()
                          .getSpec()
                          .getPorts())
                  .hasSize(2);
              assertThat(
                      client
                          .serviceAccounts()
                          .inNamespace("db")
                          .withName("demo-node")
                          .get()
                          .getAutomountServiceAccountToken())
                  .isFalse();
              assertThat(
                      client
                          .policy()
                          .v1()
                          .podDisruptionBudget()
                          .inNamespace("db")
                          .withName("demo")
                          .get()
                          .getSpec()
                          .getMaxUnavailable()
                          .getIntVal())
                  .isEqualTo(1);
              assertThat(
                      client
                          .configMaps()
                          .inNamespace("db")
                          .withName("demo-config")
                          .get()
                          .getData()
                          .values())
                  .anySatisfy(v -> assertThat(v).contains("server.vector-dimension=384"));
              assertThat(
                      client
                          .apps()
                          .statefulSets()
                          .inNamespace("db")
                          .withName("demo-default")
                          .get()
                          .getSpec()
                          .getTemplate()
                          .getSpec()
                          .getContainers()
                          .get(0)
                          .getImage())
                  .isEqualTo("ghcr.io/allidb/allidb:0.1.1");
            });

    // deletion with onDelete: Delete runs the finalizer's claim clean-up
    var claim =
        new PersistentVolumeClaimBuilder()
            .withNewMetadata()
            .withName("data-demo-default-0")
            .withNamespace("db")
            .withLabels(
                client
                    .apps()
                    .statefulSets()
                    .inNamespace("db")
                    .withName("demo-default")
                    .get()
                    .getSpec()
                    .getSelector()
                    .getMatchLabels())
            .endMetadata()
            .build();
    client.resource(claim).create();
    editCluster(
        c -> {
          c.getSpec().getPvcRetentionPolicy().setOnDelete(PvcRetention.Delete);
          return c;
        });
    await()
        .atMost(WAIT)
        .until(() -> Long.valueOf(3L).equals(fetch().getStatus().getObservedGeneration()));
    client.resource(fetch()).delete();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(fetch()).isNull();
              assertThat(client.persistentVolumeClaims().inNamespace("db").list().getItems())
                  .isEmpty();
            });

    var made = operatorRequests();
    assertThat(made).as("the run recorded the operator's requests").isNotEmpty();
    assertThat(made)
        .as("every request the operator made is allowed by the chart's RBAC")
        .allSatisfy(
            r ->
                assertThat(
                        SELF_REVIEWS.equals(r)
                            || rbac.allows(r.namespace(), r.apiGroup(), r.resource(), r.verb()))
                    .as("%s", r)
                    .isTrue());
    // and the declared permissions are not broader than the run needed, except what this run
    // cannot reach: rolling restarts and scale-downs, and the owner-reference admission check
    var used =
        made.stream()
            .map(r -> r.apiGroup() + "|" + r.resource() + "|" + r.verb())
            .collect(Collectors.toSet());
    var declaredNotUsed = new HashSet<String>();
    for (var rule : OperatorPermissions.required(false, true)) {
      for (var verb : rule.verbs()) {
        var key = rule.apiGroup() + "|" + rule.resource() + "|" + verb;
        if (!used.contains(key)) {
          declaredNotUsed.add(key);
        }
      }
    }
    // day-2: whether this run rewrites a Secret (the key set once the example's tenant key is
    // minted) or repeats an event depends on how many reconciles it sees; both verbs are used by
    // the simulated e2e scenarios (SimulatedLifecycleIT rotates keys), so they are left out here
    declaredNotUsed.removeAll(Set.of("|secrets|update", "|events|update"));
    assertThat(declaredNotUsed)
        .containsExactlyInAnyOrder(
            "|pods|delete", // rolling restart
            "|persistentvolumeclaims|delete", // claim of a node that LEFT
            // without SSA status is written by update; patch is the error-status path
            "allidb.io|alliclusters/status|patch",
            "allidb.io|alliclusters/finalizers|update", // OwnerReferencesPermissionEnforcement
            "coordination.k8s.io|leases|update"); // JOSDK checks it before it starts electing
  }

  private KubernetesClient clientWithUserAgent() {
    return new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder(client.getConfiguration()).withUserAgent(USER_AGENT).build())
        .build();
  }

  private AlliCluster fetch() {
    return client.resources(AlliCluster.class).inNamespace("db").withName("demo").get();
  }

  private Set<ApiRequest> operatorRequests() throws InterruptedException {
    var requests = new HashSet<ApiRequest>();
    var seen = 0;
    for (var r = server.takeRequest(1, TimeUnit.SECONDS);
        r != null;
        r = server.takeRequest(100, TimeUnit.MILLISECONDS)) {
      seen++;
      if (USER_AGENT.equals(r.getHeader("User-Agent"))) {
        requests.add(ApiRequest.of(r.getMethod(), r.getPath()));
      }
    }
    assertThat(seen).isEqualTo(server.getRequestCount());
    return requests;
  }

  /**
   * Edits the example cluster as a user would; fabric8's edit() patches with the resourceVersion it
   * read, so a status write by the operator in between answers 409: re-read and re-apply.
   */
  private void editCluster(UnaryOperator<AlliCluster> change) {
    for (int attempt = 1; ; attempt++) {
      try {
        client.resources(AlliCluster.class).inNamespace("db").withName("demo").edit(change);
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 10) {
          throw e;
        }
      }
    }
  }
}
