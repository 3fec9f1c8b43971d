package io.allidb.operator;

import io.allidb.operator.api.AlliCluster;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.function.UnaryOperator;

/** What a user and the kubelet do against the mock API server, shared by the operator ITs. */
public final class MockApi {
  private MockApi() {}

  /**
   * Edits an AlliCluster as a user would with {@code kubectl edit}. fabric8's edit() patches with
   * the resourceVersion it read, so a status write by the operator in between answers 409: re-read
   * and re-apply, as kubectl edit asks its user to.
   */
  public static void editCluster(
      KubernetesClient client, String namespace, String name, UnaryOperator<AlliCluster> change) {
    for (int attempt = 1; ; attempt++) {
      try {
        client.resources(AlliCluster.class).inNamespace(namespace).withName(name).edit(change);
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 10) {
          throw e;
        }
      }
    }
  }

  /**
   * What the StatefulSet controller and kubelet would do: pod {@code <statefulSet>-<ordinal>} from
   * the StatefulSet's template, then Ready.
   */
  public static void readyPod(
      KubernetesClient client, String namespace, String statefulSet, int ordinal) {
    var template =
        client
            .apps()
            .statefulSets()
            .inNamespace(namespace)
            .withName(statefulSet)
            .get()
            .getSpec()
            .getTemplate();
    var pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(statefulSet + "-" + ordinal)
            .withNamespace(namespace)
            .withLabels(template.getMetadata().getLabels())
            .withAnnotations(template.getMetadata().getAnnotations())
            .endMetadata()
            .withSpec(template.getSpec())
            .withNewStatus()
            .addNewCondition()
            .withType("Ready")
            .withStatus("True")
            .endCondition()
            .endStatus()
            .build();
    var created = client.resource(pod).create();
    // like a real API server, the mock ignores status on create: the kubelet's update sets it
    created.setStatus(pod.getStatus());
    client.resource(created).updateStatus();
  }
}
