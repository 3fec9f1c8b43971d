package io.allidb.operator.pki;

import io.allidb.operator.api.AlliCluster;
import io.allidb.operator.model.Names;

/** The two trust domains of a cluster, each with its own CA. */
public enum TlsPurpose {
  /** Node-to-node mutual TLS; pods mount the Secret at {@code /etc/allidb/tls/internode}. */
  INTERNODE("internode"),
  /** Client-facing gRPC and REST; pods mount the Secret at {@code /etc/allidb/tls/client}. */
  CLIENT("client");

  private final String label;

  TlsPurpose(String label) {
    this.label = label;
  }

  /** Lower-case name used in Secret names, status and events. */
  public String label() {
    return label;
  }

  /** The Secret the pods mount (leaves, keys, trust bundle). */
  public String tlsSecret(AlliCluster cluster) {
    return this == INTERNODE ? Names.internodeTlsSecret(cluster) : Names.clientTlsSecret(cluster);
  }

  /** The Secret holding the CA key; never mounted by a pod. */
  public String caSecret(AlliCluster cluster) {
    return cluster.getMetadata().getName() + "-" + label + "-ca";
  }

  /** Common name of this purpose's CA. */
  public String caCommonName(AlliCluster cluster) {
    return cluster.getMetadata().getName() + " " + label + " CA";
  }
}
