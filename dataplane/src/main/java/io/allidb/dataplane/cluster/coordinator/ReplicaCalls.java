package io.allidb.dataplane.cluster.coordinator;

import com.google.common.util.concurrent.ListenableFuture;
import io.allidb.dataplane.cluster.proto.ApplyRowsReply;
import io.allidb.dataplane.cluster.proto.ApplyRowsRequest;
import io.allidb.dataplane.cluster.proto.DeliverHintsReply;
import io.allidb.dataplane.cluster.proto.DeliverHintsRequest;
import io.allidb.dataplane.cluster.proto.InternodeGrpc;
import io.allidb.dataplane.cluster.proto.LocalExpandReply;
import io.allidb.dataplane.cluster.proto.LocalExpandRequest;
import io.allidb.dataplane.cluster.proto.LocalScanReply;
import io.allidb.dataplane.cluster.proto.LocalScanRequest;
import io.allidb.dataplane.cluster.proto.LocalSearchReply;
import io.allidb.dataplane.cluster.proto.LocalSearchRequest;
import io.allidb.dataplane.cluster.proto.LocalTextSearchReply;
import io.allidb.dataplane.cluster.proto.LocalTextSearchRequest;
import io.allidb.dataplane.cluster.proto.LocalTextStatsReply;
import io.allidb.dataplane.cluster.proto.LocalTextStatsRequest;
import io.allidb.dataplane.cluster.proto.MerkleTreeReply;
import io.allidb.dataplane.cluster.proto.MerkleTreeRequest;
import io.allidb.dataplane.cluster.proto.ReadRowsReply;
import io.allidb.dataplane.cluster.proto.ReadRowsRequest;
import io.allidb.dataplane.cluster.proto.StreamRowsReply;
import io.allidb.dataplane.cluster.proto.StreamRowsRequest;
import io.allidb.dataplane.cluster.transport.Peers;
import io.allidb.dataplane.cluster.transport.ReplicaHandler;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The replica operations of any node, this one included: the local replica is called directly (no
 * gRPC, no serialization), peers through {@link Peers}. Every call returns a future; a local call
 * runs in the caller's thread and returns a completed one, so callers start remote calls first and
 * the local one last to overlap them.
 *
 * <p>Reads, scans, searches and hint deliveries are idempotent and may be retried by the transport;
 * so are row applies (last-write-wins makes a replayed row harmless). Thread-safe.
 */
public final class ReplicaCalls {
  private final String localHostId;
  private final ReplicaHandler local;
  private final Peers peers;

  public ReplicaCalls(String localHostId, ReplicaHandler local, Peers peers) {
    this.localHostId = localHostId;
    this.local = local;
    this.peers = peers;
  }

  public String localHostId() {
    return localHostId;
  }

  public boolean isLocal(String host) {
    return host.equals(localHostId);
  }

  @FunctionalInterface
  private interface LocalCall<T> {
    T run() throws Exception;
  }

  private <T> CompletableFuture<T> call(
      String host,
      String rpc,
      LocalCall<T> localCall,
      Function<InternodeGrpc.InternodeFutureStub, ListenableFuture<T>> remote) {
    if (isLocal(host)) {
      try {
        return CompletableFuture.completedFuture(localCall.run());
      } catch (Exception e) {
        return CompletableFuture.failedFuture(e);
      }
    }
    return peers.call(host, rpc, true, remote);
  }

  public CompletableFuture<ApplyRowsReply> applyRows(String host, ApplyRowsRequest r) {
    return call(host, "ApplyRows", () -> local.applyRows(r), s -> s.applyRows(r));
  }

  public CompletableFuture<ReadRowsReply> readRows(String host, ReadRowsRequest r) {
    return call(host, "ReadRows", () -> local.readRows(r), s -> s.readRows(r));
  }

  public CompletableFuture<DeliverHintsReply> deliverHints(String host, DeliverHintsRequest r) {
    return call(host, "DeliverHints", () -> local.deliverHints(r), s -> s.deliverHints(r));
  }

  public CompletableFuture<LocalSearchReply> localSearch(String host, LocalSearchRequest r) {
    return call(host, "LocalSearch", () -> local.localSearch(r), s -> s.localSearch(r));
  }

  public CompletableFuture<LocalExpandReply> localExpand(String host, LocalExpandRequest r) {
    return call(host, "LocalExpand", () -> local.localExpand(r), s -> s.localExpand(r));
  }

  public CompletableFuture<LocalScanReply> localScan(String host, LocalScanRequest r) {
    return call(host, "LocalScan", () -> local.localScan(r), s -> s.localScan(r));
  }

  public CompletableFuture<LocalTextStatsReply> localTextStats(
      String host, LocalTextStatsRequest r) {
    return call(host, "LocalTextStats", () -> local.localTextStats(r), s -> s.localTextStats(r));
  }

  public CompletableFuture<LocalTextSearchReply> localTextSearch(
      String host, LocalTextSearchRequest r) {
    return call(host, "LocalTextSearch", () -> local.localTextSearch(r), s -> s.localTextSearch(r));
  }

  public CompletableFuture<StreamRowsReply> streamRows(String host, StreamRowsRequest r) {
    return call(host, "StreamRows", () -> local.streamRows(r), s -> s.streamRows(r));
  }

  public CompletableFuture<MerkleTreeReply> merkleTree(String host, MerkleTreeRequest r) {
    return call(host, "MerkleTree", () -> local.merkleTree(r), s -> s.merkleTree(r));
  }
}
