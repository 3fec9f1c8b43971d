package io.allidb.operator.ring;

import io.allidb.operator.api.AlliCluster;
import io.allidb.operator.model.Names;
import io.allidb.operator.model.Ports;

/**
 * A pod's stable DNS name under the cluster's headless Service ({@code
 * <pod>.<cluster>-nodes.<namespace>.svc}) and the public gRPC port, which serves the admin API. The
 * headless Service publishes not-ready addresses, so a node that is still joining answers too.
 */
public final class ServiceDnsAddresses implements NodeAddressResolver {
  @Override
  public NodeAddress resolve(AlliCluster cluster, String pod) {
    return new NodeAddress(pod, pod + "." + Names.seeds(cluster), Ports.GRPC, access(cluster));
  }

  /** TLS and auth as the spec sets them, with the cluster's operator-admin Secret. */
  public static AdminAccess access(AlliCluster cluster) {
    var spec = cluster.getSpec();
    return new AdminAccess(
        Boolean.TRUE.equals(spec.getTls().getEnabled()),
        Boolean.TRUE.equals(spec.getAuth().getEnabled()),
        cluster.getMetadata().getNamespace(),
        Names.operatorAdminSecret(cluster));
  }
}
