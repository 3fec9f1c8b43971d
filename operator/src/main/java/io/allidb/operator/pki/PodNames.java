package io.allidb.operator.pki;

import io.allidb.operator.api.AlliCluster;
import io.allidb.operator.model.Names;
import java.util.List;

/**
 * The DNS names a pod's leaf certificate carries. The pod's own name comes first: the node's
 * internode identity rule ({@code PeerNames}) accepts a certificate whose DNS name, or its first
 * label, is a member's host id (the pod name). The client Service names follow, so applications
 * that dial the Service verify the host name.
 */
public final class PodNames {
  private PodNames() {}

  public static List<String> of(AlliCluster cluster, String pod) {
    var ns = cluster.getMetadata().getNamespace();
    var headless = Names.headlessService(cluster);
    var client = Names.clientService(cluster);
    return List.of(
        pod,
        pod + "." + headless,
        pod + "." + headless + "." + ns + ".svc",
        pod + "." + headless + "." + ns + ".svc.cluster.local",
        client,
        client + "." + ns,
        client + "." + ns + ".svc",
        client + "." + ns + ".svc.cluster.local");
  }
}
