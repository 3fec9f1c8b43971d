package io.allidb.operator.day2;

import io.allidb.operator.api.AlliCluster;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes events on an AlliCluster ({@code kubectl describe allicluster} shows them). One event
 * object per (reason, subject): repeating a warning bumps its count instead of adding objects, the
 * way kubectl's own recorder aggregates. Emitting is best effort: a failed event is logged, never
 * fails a reconcile. Messages never carry key material.
 */
public final class ClusterEvents {
  private static final Logger logger = LoggerFactory.getLogger(ClusterEvents.class);
  private static final String COMPONENT = "allidb-operator";

  private final KubernetesClient client;
  private final AlliCluster cluster;
  private final Instant now;

  public ClusterEvents(KubernetesClient client, AlliCluster cluster, Instant now) {
    this.client = client;
    this.cluster = cluster;
    this.now = now;
  }

  public void warning(String reason, String subject, String message) {
    emit("Warning", reason, subject, message);
  }

  public void normal(String reason, String subject, String message) {
    emit("Normal", reason, subject, message);
  }

  private void emit(String type, String reason, String subject, String message) {
    var ns = cluster.getMetadata().getNamespace();
    var name = cluster.getMetadata().getName() + "." + digest(type + reason + subject);
    var events = client.v1().events().inNamespace(ns);
    try {
      var existing = events.withName(name).get();
      if (existing == null) {
        events
            .resource(
                new EventBuilder()
                    .withNewMetadata()
                    .withName(name)
                    .withNamespace(ns)
                    .endMetadata()
                    .withInvolvedObject(
                        new ObjectReferenceBuilder()
                            .withApiVersion(cluster.getApiVersion())
                            .withKind(cluster.getKind())
                            .withName(cluster.getMetadata().getName())
                            .withNamespace(ns)
                            .withUid(cluster.getMetadata().getUid())
                            .build())
                    .withType(type)
                    .withReason(reason)
                    .withMessage(message)
                    .withCount(1)
                    .withFirstTimestamp(now.toString())
                    .withLastTimestamp(now.toString())
                    .withNewSource()
                    .withComponent(COMPONENT)
                    .endSource()
                    .build())
            .create();
      } else {
        existing.setCount(existing.getCount() == null ? 2 : existing.getCount() + 1);
        existing.setMessage(message);
        existing.setLastTimestamp(now.toString());
        events.resource(existing).update();
      }
    } catch (KubernetesClientException e) {
      logger.warn("event {} {} on {} not recorded: {}", type, reason, name, e.getMessage());
    }
  }

  private static String digest(String s) {
    try {
      var d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK ships SHA-256", e);
    }
  }
}
