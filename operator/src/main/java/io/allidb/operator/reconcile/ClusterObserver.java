package io.allidb.operator.reconcile;

import io.allidb.operator.api.AlliCluster;
import io.allidb.operator.model.Labels;
import io.allidb.operator.model.Names;
import io.allidb.operator.model.TemplateHash;
import io.allidb.operator.ring.NodeAddressResolver;
import io.allidb.operator.ring.RingObserver;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads the cluster's Kubernetes objects and asks its nodes for their ring view. Never writes. */
public final class ClusterObserver {
  private final RingObserver ringObserver;
  private final NodeAddressResolver addresses;

  public ClusterObserver(RingObserver ringObserver, NodeAddressResolver addresses) {
    this.ringObserver = ringObserver;
    this.addresses = addresses;
  }

  public Observation observe(KubernetesClient client, AlliCluster cluster) {
    var ns = cluster.getMetadata().getNamespace();
    var selector = Labels.nodeSelector(cluster);
    var statefulSets = new LinkedHashMap<String, StatefulSet>();
    client.apps().statefulSets().inNamespace(ns).withLabels(selector).list().getItems().stream()
        .sorted(Comparator.comparing(s -> s.getMetadata().getName()))
        .forEach(s -> statefulSets.put(s.getMetadata().getLabels().get(Labels.RACK), s));
    var pods = new LinkedHashMap<String, PodState>();
    for (Pod pod : client.pods().inNamespace(ns).withLabels(selector).list().getItems()) {
      pods.put(pod.getMetadata().getName(), podState(pod));
    }
    // ask every pod that is running: a node that is not ready yet still has a ring view
    var nodes = pods.keySet().stream().sorted().map(p -> addresses.resolve(cluster, p)).toList();
    return new Observation(Map.copyOf(statefulSets), Map.copyOf(pods), ringObserver.observe(nodes));
  }

  static PodState podState(Pod pod) {
    var meta = pod.getMetadata();
    var ready =
        pod.getStatus() != null
            && pod.getStatus().getConditions() != null
            && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    return new PodState(
        meta.getName(),
        meta.getUid(),
        meta.getLabels().get(Labels.RACK),
        Names.ordinalOf(meta.getName()),
        ready,
        meta.getDeletionTimestamp() != null,
        TemplateHash.annotatedOn(meta));
  }
}
