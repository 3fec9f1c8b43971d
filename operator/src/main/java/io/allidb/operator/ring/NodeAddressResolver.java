package io.allidb.operator.ring;

import io.allidb.operator.api.AlliCluster;

/**
 * Where the operator reaches a pod's admin API. Production uses {@link ServiceDnsAddresses}; tests
 * that run nodes on loopback ports map pods to those ports instead.
 */
@FunctionalInterface
public interface NodeAddressResolver {
  NodeAddress resolve(AlliCluster cluster, String pod);
}
