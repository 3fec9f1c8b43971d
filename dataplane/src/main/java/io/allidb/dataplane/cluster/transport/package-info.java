/**
 * Node-to-node transport over the {@code allidb.internode.v1.Internode} gRPC service: pooled,
 * deadlined, retried and circuit-broken calls ({@link
 * io.allidb.dataplane.cluster.transport.PooledPeers}), the internode server ({@link
 * io.allidb.dataplane.cluster.transport.InternodeServer}) and test fault injection ({@link
 * io.allidb.dataplane.cluster.transport.NetworkFaults}). Design: {@code docs/cluster.md}, section
 * Transport.
 */
package io.allidb.dataplane.cluster.transport;
