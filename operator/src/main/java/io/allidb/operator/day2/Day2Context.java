package io.allidb.operator.day2;

import io.allidb.operator.api.AlliCluster;
import io.allidb.operator.ring.NodeAdmin;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.List;

/**
 * What every day-2 step gets from one reconcile.
 *
 * @param runningPods node pods that exist and are not terminating (they must acknowledge rollouts)
 * @param desiredPods every pod that exists or will exist at the planned size (they need material)
 * @param act false: steps plan and report, but write and call nothing (a dry run)
 */
public record Day2Context(
    KubernetesClient client,
    AlliCluster cluster,
    NodeAdmin admin,
    List<String> runningPods,
    List<String> desiredPods,
    Instant now,
    boolean act) {

  public String name() {
    return cluster.getMetadata().getName();
  }

  public String namespace() {
    return cluster.getMetadata().getNamespace();
  }
}
