package io.allidb.operator.day2;

import io.allidb.operator.api.AlliCluster;
import io.allidb.operator.model.AlliClusterModel;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Reads and writes the Secrets the day-2 steps own. Writes are whole replacements guarded by the
 * resourceVersion read (optimistic locking): a key removed from the desired data disappears, and
 * two writers never silently overwrite each other (the loser's reconcile fails and retries).
 * Unchanged Secrets are not written, so the informer-driven loop settles.
 */
public final class SecretStore {
  private final KubernetesClient client;
  private final AlliCluster cluster;

  public SecretStore(KubernetesClient client, AlliCluster cluster) {
    this.client = client;
    this.cluster = cluster;
  }

  public Secret get(String name) {
    return client.secrets().inNamespace(cluster.getMetadata().getNamespace()).withName(name).get();
  }

  /**
   * Makes Secret {@code name} hold exactly {@code data} (base64 values) and carry {@code
   * annotations}.
   *
   * @param existing what {@link #get} returned (null: create)
   * @return whether anything was written
   */
  public boolean put(
      Secret existing, String name, Map<String, String> data, Map<String, String> annotations) {
    if (existing != null
        && Objects.equals(new TreeMap<>(nullToEmpty(existing.getData())), new TreeMap<>(data))
        && nullToEmpty(existing.getMetadata().getAnnotations())
            .entrySet()
            .containsAll(annotations.entrySet())) {
      return false;
    }
    var meta = AlliClusterModel.metadata(cluster, name);
    var merged = new TreeMap<String, String>();
    if (existing != null) {
      merged.putAll(nullToEmpty(existing.getMetadata().getAnnotations()));
      meta.setResourceVersion(existing.getMetadata().getResourceVersion());
    }
    merged.putAll(annotations);
    meta.setAnnotations(merged);
    var secret = new SecretBuilder().withMetadata(meta).withType("Opaque").withData(data).build();
    var ops = client.secrets().inNamespace(cluster.getMetadata().getNamespace()).resource(secret);
    if (existing == null) {
      ops.create();
    } else {
      ops.update();
    }
    return true;
  }

  private static Map<String, String> nullToEmpty(Map<String, String> m) {
    return m == null ? Map.of() : m;
  }
}
