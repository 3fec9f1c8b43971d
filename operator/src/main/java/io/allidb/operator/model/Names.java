package io.allidb.operator.model;

import io.allidb.operator.api.AlliCluster;

/** Object names derived from a cluster; one place so that the reconciler and model agree. */
public final class Names {
  private Names() {}

  /** StatefulSet of one rack; also the prefix of its pod names. */
  public static String statefulSet(AlliCluster cluster, String rack) {
    return cluster.getMetadata().getName() + "-" + rack;
  }

  /** Pod {@code ordinal} of a rack. */
  public static String pod(AlliCluster cluster, String rack, int ordinal) {
    return statefulSet(cluster, rack) + "-" + ordinal;
  }

  /** The data volume claim of a pod, as the StatefulSet controller names it. */
  public static String dataClaim(String podName) {
    return NodeStatefulSet.DATA_VOLUME + "-" + podName;
  }

  /** Headless Service: per-pod DNS names and the gossip seed address. */
  public static String headlessService(AlliCluster cluster) {
    return cluster.getMetadata().getName() + "-nodes";
  }

  /** Client Service: the one address applications use. */
  public static String clientService(AlliCluster cluster) {
    return cluster.getMetadata().getName();
  }

  public static String configMap(AlliCluster cluster) {
    return cluster.getMetadata().getName() + "-config";
  }

  public static String podDisruptionBudget(AlliCluster cluster) {
    return cluster.getMetadata().getName();
  }

  public static String serviceAccount(AlliCluster cluster) {
    return cluster.getMetadata().getName() + "-node";
  }

  public static String internodeTlsSecret(AlliCluster cluster) {
    var name = cluster.getSpec().getTls().getInternodeSecretName();
    return name != null ? name : cluster.getMetadata().getName() + "-internode-tls";
  }

  public static String clientTlsSecret(AlliCluster cluster) {
    var name = cluster.getSpec().getTls().getClientSecretName();
    return name != null ? name : cluster.getMetadata().getName() + "-client-tls";
  }

  /** Secret with the hashed API-key set the nodes load (never the keys themselves). */
  public static String nodeKeySetSecret(AlliCluster cluster) {
    return cluster.getMetadata().getName() + "-node-keys";
  }

  /**
   * Secret with the operator's own admin credential for this cluster: {@code api-key} (an API key
   * with the admin scope) and {@code ca.crt} (the CA bundle that signs the nodes' client-facing
   * certificate). Issued with the cluster's keys and PKI (issue 8); read by the operator only.
   */
  public static String operatorAdminSecret(AlliCluster cluster) {
    return cluster.getMetadata().getName() + "-operator-admin";
  }

  /** DNS name of the headless Service: the seed list every node starts from. */
  public static String seeds(AlliCluster cluster) {
    return headlessService(cluster) + "." + cluster.getMetadata().getNamespace() + ".svc";
  }

  /** The ordinal at the end of a StatefulSet pod name, or -1. */
  public static int ordinalOf(String podName) {
    var dash = podName.lastIndexOf('-');
    try {
      return dash < 0 ? -1 : Integer.parseInt(podName.substring(dash + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
