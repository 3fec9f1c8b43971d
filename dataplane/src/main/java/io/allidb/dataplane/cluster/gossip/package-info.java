/**
 * Gossip membership: every node's {@link io.allidb.dataplane.cluster.proto.EndpointState} spread by
 * three-phase exchanges ({@link io.allidb.dataplane.cluster.gossip.Gossiper}), liveness from a phi
 * accrual failure detector (Hayashibara et al., SRDS 2004), seeds from configuration or DNS, and
 * the {@link io.allidb.dataplane.cluster.ClusterView} built from it ({@link
 * io.allidb.dataplane.cluster.gossip.GossipClusterView}). Design: {@code docs/cluster.md}, section
 * Gossip.
 */
package io.allidb.dataplane.cluster.gossip;
