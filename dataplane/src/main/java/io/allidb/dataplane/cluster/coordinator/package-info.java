/**
 * The coordinator every node runs: replicated writes at a consistency level with hints for missed
 * replicas ({@link io.allidb.dataplane.cluster.coordinator.WriteCoordinator}), reads with digests
 * and read repair ({@link io.allidb.dataplane.cluster.coordinator.ReadCoordinator}), id-ordered
 * cluster scans ({@link io.allidb.dataplane.cluster.coordinator.ScanCoordinator}) and the
 * scatter/gather Graph RAG query ({@link
 * io.allidb.dataplane.cluster.coordinator.ClusterQueryExecutor}). Design: {@code docs/cluster.md}.
 * The model is Dynamo's (DeCandia et al., SOSP 2007) as Cassandra refined it.
 */
package io.allidb.dataplane.cluster.coordinator;
