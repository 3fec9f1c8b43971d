package io.allidb.e2e.scenario;

import static org.awaitility.Awaitility.await;

import io.allidb.operator.api.AlliCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The part of a {@link ClusterUnderTest} that is only Kubernetes API calls, the same whichever API
 * server answers (k3s, or the mock server of the simulated cluster): reading the AlliCluster, the
 * user's edits (scale, annotate), deleting a pod and reading a Secret.
 */
public abstract class ApiServerCluster implements ClusterUnderTest {
  protected final KubernetesClient client;

  protected ApiServerCluster(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public AlliCluster get(String namespace, String name) {
    return client.resources(AlliCluster.class).inNamespace(namespace).withName(name).get();
  }

  @Override
  public void scale(String namespace, String name, int replicas) {
    edit(
        namespace,
        name,
        c -> {
          c.getSpec().setReplicas(replicas);
          return c;
        });
  }

  @Override
  public void annotate(String namespace, String name, String key, String value) {
    edit(
        namespace,
        name,
        c -> {
          if (c.getMetadata().getAnnotations() == null) {
            c.getMetadata().setAnnotations(new HashMap<>());
          }
          c.getMetadata().getAnnotations().put(key, value);
          return c;
        });
  }

  /** Returns once the StatefulSet controller has made a new pod of that name. */
  @Override
  public void deletePod(String namespace, String pod) {
    var uid = client.pods().inNamespace(namespace).withName(pod).get().getMetadata().getUid();
    client.pods().inNamespace(namespace).withName(pod).delete();
    await(pod + " recreated")
        .atMost(waitBound())
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              var now = client.pods().inNamespace(namespace).withName(pod).get();
              return now != null && !uid.equals(now.getMetadata().getUid());
            });
  }

  @Override
  public Map<String, byte[]> secret(String namespace, String name) {
    var secret = client.secrets().inNamespace(namespace).withName(name).get();
    if (secret == null) {
      return null;
    }
    var out = new HashMap<String, byte[]>();
    if (secret.getData() != null) {
      secret.getData().forEach((k, v) -> out.put(k, Base64.getDecoder().decode(v)));
    }
    return out;
  }

  /** kubectl edit: a status write by the operator in between answers 409, so re-read and retry. */
  protected void edit(String namespace, String name, UnaryOperator<AlliCluster> change) {
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
}
