package io.allidb.e2e.chart;

import static io.allidb.e2e.chart.HelmChart.all;
import static io.allidb.e2e.chart.HelmChart.one;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** helm lint and helm template over every {@code ci/*-values.yaml}, checked object by object. */
class ChartRenderIT {

  static List<Path> ciValues() throws Exception {
    return HelmChart.ciValues();
  }

  @Test
  void lintsCleanInStrictMode() {
    var result = HelmChart.lint();
    assertThat(result.isFailed()).as("%s", result.getMessages()).isFalse();
  }

  @ParameterizedTest
  @MethodSource("ciValues")
  void everyValuesFileRendersAHardenedOperatorDeployment(Path values) {
    var objects = HelmChart.render(values);

    var deployment = one(objects, Deployment.class);
    var pod = deployment.getSpec().getTemplate().getSpec();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    var container = pod.getContainers().get(0);
    var security = container.getSecurityContext();
    assertThat(security.getReadOnlyRootFilesystem()).isTrue();
    assertThat(security.getAllowPrivilegeEscalation()).isFalse();
    assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/-/healthy");
    assertThat(container.getReadinessProbe()).isNotNull();
    assertThat(container.getStartupProbe()).isNotNull();
    assertThat(container.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(container.getResources().getLimits()).containsKey("memory");
    assertThat(container.getVolumeMounts())
        .extracting(m -> m.getMountPath())
        .containsExactly("/tmp");
    assertThat(container.getEnv())
        .as("no secret is passed to the operator")
        .allSatisfy(
            e ->
                assertThat(e.getValueFrom() == null || e.getValueFrom().getSecretKeyRef() == null)
                    .isTrue());
    assertThat(env(container.getEnv()))
        .containsKeys(
            "POD_NAME", "WATCH_NAMESPACES", "ALLIDB_OPERATOR_SSA", "METRICS_PORT", "LOG_LEVEL");
    assertThat(pod.getServiceAccountName()).startsWith("allidb");
    assertThat(deployment.getSpec().getSelector().getMatchLabels())
        .isEqualTo(deployment.getSpec().getTemplate().getMetadata().getLabels());

    assertThat(all(objects, Secret.class)).as("the chart never carries a Secret").isEmpty();
    for (var cm : all(objects, ConfigMap.class)) {
      assertThat(cm.getData().keySet())
          .allSatisfy(k -> assertThat(k).doesNotContainIgnoringCase("key"));
    }
    for (var o : objects) {
      assertThat(o.getMetadata().getLabels())
          .as("%s %s", o.getKind(), o.getMetadata().getName())
          .containsEntry("app.kubernetes.io/part-of", "allidb")
          .containsKey("helm.sh/chart");
    }
  }

  @Test
  void defaultsWatchEveryNamespaceWithOneClusterRoleAndElectALeader() {
    var objects = HelmChart.render(values("default"));

    var deployment = one(objects, Deployment.class);
    var env = env(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv());
    assertThat(env)
        .containsEntry("WATCH_NAMESPACES", "")
        .containsEntry("ALLIDB_OPERATOR_SSA", "true");
    assertThat(env).containsKey("LEASE_NAMESPACE");
    assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("ghcr.io/allidb/allidb-operator:0.1.0");
    var clusterRole = one(objects, ClusterRole.class);
    var binding = one(objects, ClusterRoleBinding.class);
    assertThat(binding.getRoleRef().getName()).isEqualTo(clusterRole.getMetadata().getName());
    assertThat(binding.getSubjects().get(0).getName())
        .isEqualTo(one(objects, ServiceAccount.class).getMetadata().getName());
    assertThat(binding.getSubjects().get(0).getNamespace()).isEqualTo(HelmChart.NAMESPACE);
    assertThat(one(objects, Role.class).getMetadata().getName()).endsWith("-leader-election");
    assertThat(one(objects, Service.class).getSpec().getPorts().get(0).getName()).isEqualTo("http");
    assertThat(objects).noneMatch(o -> o instanceof GenericKubernetesResource);
  }

  @Test
  void watchedNamespacesGetRolesAndNothingClusterWide() {
    var objects = HelmChart.render(values("namespaced"));

    assertThat(all(objects, ClusterRole.class)).isEmpty();
    assertThat(all(objects, ClusterRoleBinding.class)).isEmpty();
    assertThat(all(objects, Role.class))
        .extracting(r -> r.getMetadata().getNamespace() + "/" + r.getMetadata().getName())
        .containsExactlyInAnyOrder(
            "db/allidb-allidb-operator",
            "analytics/allidb-allidb-operator",
            "allidb-system/allidb-allidb-operator-leader-election");
    assertThat(all(objects, RoleBinding.class)).hasSize(3);
    var deployment = one(objects, Deployment.class);
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    assertThat(env(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()))
        .containsEntry("WATCH_NAMESPACES", "db,analytics")
        .containsEntry("LOG_LEVEL", "debug");
  }

  @Test
  void externallyManagedRbacRendersNoRbacAndUsesTheNamedAccount() {
    var objects = HelmChart.render(values("external-rbac"));

    assertThat(objects).extracting(HasMetadata::getKind).containsExactly("Deployment");
    var pod = one(objects, Deployment.class).getSpec().getTemplate().getSpec();
    assertThat(pod.getServiceAccountName()).isEqualTo("allidb-operator-managed");
    assertThat(pod.getImagePullSecrets()).extracting(s -> s.getName()).containsExactly("regcred");
    assertThat(pod.getContainers().get(0).getImage())
        .isEqualTo("registry.example.com/allidb/allidb-operator:0.1.0-rc1");
    assertThat(env(pod.getContainers().get(0).getEnv())).doesNotContainKey("LEASE_NAMESPACE");
  }

  @Test
  void monitoringObjectsAppearOnlyWhenAskedFor() {
    var objects = HelmChart.render(values("monitoring"));

    var generic =
        all(objects, GenericKubernetesResource.class).stream()
            .collect(Collectors.toMap(HasMetadata::getKind, o -> o));
    assertThat(generic).containsOnlyKeys("ServiceMonitor", "PodMonitor", "PrometheusRule");
    assertThat(generic.get("PodMonitor").getMetadata().getLabels())
        .containsEntry("release", "prometheus");
    var dashboard = all(objects, ConfigMap.class).get(0);
    assertThat(dashboard.getMetadata().getNamespace()).isEqualTo("monitoring");
    assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
    assertThat(dashboard.getData().get("allidb.json")).contains("\"uid\": \"allidb-overview\"");
  }

  @Test
  void refusesSeveralActiveOperatorsWithoutLeaderElection() {
    assertThatThrownBy(
            () ->
                HelmChart.template(
                    List.of(values("default")),
                    Map.of("replicas", 2, "leaderElection.enabled", false)))
        .hasMessageContaining("replicas > 1 needs leaderElection.enabled");
  }

  static Path values(String name) {
    return HelmChart.CHART.resolve("ci").resolve(name + "-values.yaml");
  }

  static Map<String, String> env(List<EnvVar> env) {
    return env.stream()
        .collect(
            Collectors.toMap(EnvVar::getName, e -> e.getValue() == null ? "<from>" : e.getValue()));
  }
}
