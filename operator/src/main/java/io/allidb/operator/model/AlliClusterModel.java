package io.allidb.operator.model;

import io.allidb.operator.api.AlliCluster;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns an {@link AlliCluster} into its {@link DesiredState}. Pure: same input, same output, no
 * I/O; safe to call from any thread.
 */
public final class AlliClusterModel {
  private AlliClusterModel() {}

  /** The desired state of {@code cluster}, which must have a name, namespace and uid. */
  public static DesiredState of(AlliCluster cluster) {
    var configMap =
        new ConfigMapBuilder()
            .withMetadata(metadata(cluster, Names.configMap(cluster)))
            .withData(Map.of(NodeConfig.FILE_NAME, NodeConfig.render(cluster)))
            .build();
    var configHash = TemplateHash.ofData(configMap.getData());
    var statefulSets = new LinkedHashMap<String, StatefulSet>();
    for (var rack : cluster.getSpec().effectiveRacks()) {
      statefulSets.put(rack.getName(), NodeStatefulSet.of(cluster, rack, configHash));
    }
    return new DesiredState(
        new ServiceAccountBuilder()
            .withMetadata(metadata(cluster, Names.serviceAccount(cluster)))
            .withAutomountServiceAccountToken(false)
            .build(),
        configMap,
        headlessService(cluster),
        clientService(cluster),
        new PodDisruptionBudgetBuilder()
            .withMetadata(metadata(cluster, Names.podDisruptionBudget(cluster)))
            .withNewSpec()
            // voluntary evictions one node at a time: with RF >= 3 a QUORUM survives it
            .withMaxUnavailable(new IntOrString(1))
            .withNewSelector()
            .withMatchLabels(Labels.nodeSelector(cluster))
            .endSelector()
            .endSpec()
            .build(),
        statefulSets);
  }

  /**
   * Headless Service for per-pod DNS and the seed list. It publishes not-ready addresses: a joining
   * node must resolve its peers before any of them is ready.
   */
  static Service headlessService(AlliCluster cluster) {
    return new ServiceBuilder()
        .withMetadata(metadata(cluster, Names.headlessService(cluster)))
        .withNewSpec()
        .withClusterIP("None")
        .withPublishNotReadyAddresses(true)
        .withSelector(Labels.nodeSelector(cluster))
        .withPorts(port("grpc", Ports.GRPC), port("internode", Ports.INTERNODE))
        .endSpec()
        .build();
  }

  /** Client Service: ready nodes only, any of them coordinates a request. */
  static Service clientService(AlliCluster cluster) {
    return new ServiceBuilder()
        .withMetadata(metadata(cluster, Names.clientService(cluster)))
        .withNewSpec()
        .withType("ClusterIP")
        .withSelector(Labels.nodeSelector(cluster))
        .withPorts(port("grpc", Ports.GRPC), port("http", Ports.HTTP))
        .endSpec()
        .build();
  }

  /** Name, namespace, common labels and the controller owner reference to {@code cluster}. */
  public static ObjectMeta metadata(AlliCluster cluster, String name) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(cluster.getMetadata().getNamespace())
        .withLabels(Labels.common(cluster))
        .withOwnerReferences(ownerReference(cluster))
        .build();
  }

  /** Owner reference so that Kubernetes garbage-collects an object with its cluster. */
  public static OwnerReference ownerReference(AlliCluster cluster) {
    return new OwnerReferenceBuilder()
        .withApiVersion(cluster.getApiVersion())
        .withKind(cluster.getKind())
        .withName(cluster.getMetadata().getName())
        .withUid(cluster.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  private static ServicePort port(String name, int port) {
    return new ServicePortBuilder()
        .withName(name)
        .withPort(port)
        .withTargetPort(new IntOrString(name))
        .withProtocol("TCP")
        .build();
  }

  /** Racks in spec order. */
  public static List<String> rackNames(AlliCluster cluster) {
    return cluster.getSpec().effectiveRacks().stream().map(r -> r.getName()).toList();
  }
}
