package io.allidb.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.operator.AlliClusters;
import io.allidb.operator.api.AlliCluster;
import io.allidb.operator.api.CertificateIssuer;
import io.allidb.operator.api.TenantSpec;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The model on its own: golden YAML per scenario plus behaviour checks. Regenerate the golden files
 * after an intended rendering change with {@code -Dallidb.regenerate=true} (see {@link
 * io.allidb.operator.api.CustomResourceDefinitionTest} for the full command) and review the diff.
 */
class AlliClusterModelTest {

  static final Path GOLDEN = Path.of("src", "test", "resources", "golden");

  static AlliCluster scenario(String name) {
    return switch (name) {
      case "three-nodes" -> AlliClusters.withReplicas(3);
      case "racks-tls-auth" -> {
        var c = AlliClusters.withRacks(2, "zone-a", "zone-b", "zone-c");
        c.getSpec()
            .getRacks()
            .get(0)
            .setAffinity(
                new AffinityBuilder()
                    .withNewNodeAffinity()
                    .withNewRequiredDuringSchedulingIgnoredDuringExecution()
                    .addNewNodeSelectorTerm()
                    .addNewMatchExpression()
                    .withKey("node.kubernetes.io/instance-type")
                    .withOperator("In")
                    .withValues("m6i.2xlarge")
                    .endMatchExpression()
                    .endNodeSelectorTerm()
                    .endRequiredDuringSchedulingIgnoredDuringExecution()
                    .endNodeAffinity()
                    .build());
        c.getSpec().getTls().setEnabled(true);
        c.getSpec().getTls().setIssuer(CertificateIssuer.OPERATOR);
        c.getSpec().getAuth().setTenants(List.of(new TenantSpec("acme")));
        c.getSpec().getStorage().setStorageClassName("fast-ssd");
        c.getSpec()
            .setConfig(Map.of("server.vector-dimension", "384", "cluster.hint-window", "1h"));
        c.getSpec()
            .setResources(
                new ResourceRequirementsBuilder()
                    .addToRequests("cpu", new Quantity("2"))
                    .addToRequests("memory", new Quantity("8Gi"))
                    .addToLimits("memory", new Quantity("8Gi"))
                    .build());
        yield c;
      }
      default -> throw new IllegalArgumentException(name);
    };
  }

  @ParameterizedTest
  @ValueSource(strings = {"three-nodes", "racks-tls-auth"})
  void rendersTheGoldenObjects(String name) throws IOException {
    var yaml =
        AlliClusterModel.of(scenario(name)).all().stream()
            .map(Serialization::asYaml)
            .collect(Collectors.joining());
    var file = GOLDEN.resolve(name + ".yaml");
    if (Boolean.getBoolean("allidb.regenerate")) {
      Files.writeString(file, yaml, StandardCharsets.UTF_8);
    }
    assertThat(Files.readString(file, StandardCharsets.UTF_8))
        .as(
            "golden file %s is stale; rerun with -Dallidb.regenerate=true and review the diff",
            file)
        .isEqualTo(yaml);
  }

  @Test
  void everyObjectIsOwnedByTheClusterAndLabelled() {
    var cluster = AlliClusters.withReplicas(3);
    for (HasMetadata object : AlliClusterModel.of(cluster).all()) {
      assertThat(object.getMetadata().getNamespace()).isEqualTo("db");
      assertThat(object.getMetadata().getOwnerReferences())
          .singleElement()
          .satisfies(
              ref -> {
                assertThat(ref.getKind()).isEqualTo("AlliCluster");
                assertThat(ref.getUid()).isEqualTo(cluster.getMetadata().getUid());
                assertThat(ref.getController()).isTrue();
              });
      assertThat(object.getMetadata().getLabels())
          .containsEntry(Labels.INSTANCE, "demo")
          .containsEntry(Labels.MANAGED_BY, "allidb-operator");
    }
  }

  @Test
  void headlessServicePublishesNotReadyPodsAndPdbAllowsOneDown() {
    var desired = AlliClusterModel.of(AlliClusters.withReplicas(3));
    assertThat(desired.headlessService().getSpec().getClusterIP()).isEqualTo("None");
    assertThat(desired.headlessService().getSpec().getPublishNotReadyAddresses()).isTrue();
    assertThat(desired.clientService().getSpec().getPorts())
        .extracting(p -> p.getPort())
        .containsExactly(7000, 7080);
    assertThat(desired.podDisruptionBudget().getSpec().getMaxUnavailable().getIntVal())
        .isEqualTo(1);
  }

  @Test
  void podRunsNonRootWithReadOnlyRoot() {
    var sts = AlliClusterModel.of(AlliClusters.withReplicas(3)).statefulSets().get("default");
    var pod = sts.getSpec().getTemplate().getSpec();
    var container = pod.getContainers().get(0);
    assertThat(sts.getSpec().getReplicas()).isEqualTo(3);
    assertThat(sts.getSpec().getUpdateStrategy().getType()).isEqualTo("OnDelete");
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(container.getVolumeMounts())
        .anySatisfy(
            m -> {
              assertThat(m.getMountPath()).isEqualTo(NodeStatefulSet.DATA_PATH);
              assertThat(m.getReadOnly()).isFalse();
            });
    assertThat(container.getPorts())
        .extracting(p -> p.getContainerPort())
        .containsExactly(7000, 7001, 7080);
    assertThat(
            container.getStartupProbe().getFailureThreshold()
                * container.getStartupProbe().getPeriodSeconds())
        .as("seconds a node may spend rebuilding indexes at startup")
        .isGreaterThanOrEqualTo(3600);
    assertThat(container.getEnv())
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("ALLIDB_SEEDS");
              assertThat(e.getValue()).isEqualTo("demo-nodes.db.svc");
            });
  }

  /**
   * The kubelet's gRPC probe is plaintext only: a TLS node would never be Ready behind it (issue
   * 7). Every probe is an httpGet on the REST port, HTTPS exactly when the node serves TLS.
   */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void probesAskTheRestPortInTheSchemeTheNodeServes(boolean tls) {
    var cluster = AlliClusters.withReplicas(3);
    cluster.getSpec().getTls().setEnabled(tls);
    var container =
        AlliClusterModel.of(cluster)
            .statefulSets()
            .get("default")
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);
    var scheme = tls ? "HTTPS" : "HTTP";
    var probes =
        Map.of(
            "startup", container.getStartupProbe(),
            "readiness", container.getReadinessProbe(),
            "liveness", container.getLivenessProbe());
    probes.forEach(
        (kind, probe) -> {
          assertThat(probe.getGrpc()).as("%s probe: no gRPC probe", kind).isNull();
          assertThat(probe.getHttpGet().getScheme()).as("%s probe scheme", kind).isEqualTo(scheme);
          assertThat(probe.getHttpGet().getPort().getIntVal())
              .as("%s probe port", kind)
              .isEqualTo(Ports.HTTP);
        });
    assertThat(container.getStartupProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/livez");
    assertThat(container.getArgs()).contains("--http-port=" + Ports.HTTP);
  }

  @Test
  void templateHashIgnoresReplicasButFollowsImageAndConfig() {
    var base = hash(AlliClusters.withReplicas(3));
    assertThat(hash(AlliClusters.withReplicas(5))).isEqualTo(base);

    var newImage = AlliClusters.withReplicas(3);
    newImage.getSpec().setImage("ghcr.io/allidb/allidb:0.2.0");
    assertThat(hash(newImage)).isNotEqualTo(base);

    var newConfig = AlliClusters.withReplicas(3);
    newConfig.getSpec().setConfig(Map.of("server.vector-dimension", "768"));
    assertThat(hash(newConfig)).isNotEqualTo(base);

    var rollout =
        RolloutReason.between(
            sts(AlliClusters.withReplicas(3)).getSpec().getTemplate(),
            sts(newImage).getSpec().getTemplate());
    assertThat(rollout)
        .startsWith("image ghcr.io/allidb/allidb:0.1.0 -> ghcr.io/allidb/allidb:0.2.0");
  }

  @Test
  void rackZoneIsAddedToEveryUserNodeSelectorTerm() {
    var desired = AlliClusterModel.of(scenario("racks-tls-auth"));
    var terms =
        desired
            .statefulSets()
            .get("r1")
            .getSpec()
            .getTemplate()
            .getSpec()
            .getAffinity()
            .getNodeAffinity()
            .getRequiredDuringSchedulingIgnoredDuringExecution()
            .getNodeSelectorTerms();
    assertThat(terms)
        .singleElement()
        .satisfies(
            t ->
                assertThat(t.getMatchExpressions())
                    .extracting(e -> e.getKey())
                    .containsExactly(
                        "node.kubernetes.io/instance-type", NodeStatefulSet.ZONE_LABEL));
    assertThat(desired.statefulSets()).containsOnlyKeys("r1", "r2", "r3");
  }

  @Test
  void configMapNamesSecretsButHoldsNone() {
    var desired = AlliClusterModel.of(scenario("racks-tls-auth"));
    var config = desired.configMap().getData().get(NodeConfig.FILE_NAME);
    assertThat(config)
        .contains("tls.internode-dir=/etc/allidb/tls/internode")
        .contains("cluster.replication-factor=3")
        .contains("server.vector-dimension=384");
    assertThat(config.toLowerCase()).doesNotContain("password").doesNotContain("-----begin");
    assertThat(
            NodeConfig.secretLikeKeys(Map.of("auth.api-key", "x", "server.vector-dimension", "4")))
        .containsExactly("auth.api-key");
  }

  private static StatefulSet sts(AlliCluster cluster) {
    return AlliClusterModel.of(cluster).statefulSets().get("default");
  }

  private static String hash(AlliCluster cluster) {
    return TemplateHash.annotatedOn(sts(cluster).getSpec().getTemplate().getMetadata());
  }
}
