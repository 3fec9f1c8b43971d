package io.allidb.operator.day2;

import io.allidb.operator.api.AlliCluster;
import io.allidb.operator.ring.NodeAddress;
import io.allidb.operator.ring.NodeAddressResolver;
import io.allidb.operator.ring.NodeAdmin;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.List;

/**
 * What every day-2 step gets from one reconcile.
 *
 * @param addresses where each pod's admin API is and how to be admitted (TLS, API key): the same
 *     resolver the ring observer uses
 * @param runningPods node pods that exist and are not terminating (they must acknowledge rollouts)
 * @param desiredPods every pod that exists or will exist at the planned size (they need material)
 * @param act false: steps plan and report, but write and call nothing (a dry run)
 */
public record Day2Context(
    KubernetesClient client,
    AlliCluster cluster,
    NodeAdmin admin,
    NodeAddressResolver addresses,
    List<String> runningPods,
    List<String> desiredPods,
    Instant now,
    boolean act) {

  /** Where {@code pod}'s admin API is. */
  public NodeAddress address(String pod) {
    return addresses.resolve(cluster, pod);
  }

  public String name() {
    return cluster.getMetadata().getName();
  }

  public String namespace() {
    return cluster.getMetadata().getNamespace();
  }
}
