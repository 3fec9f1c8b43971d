package io.allidb.dataplane.cluster.transport;

import io.allidb.dataplane.cluster.proto.ApplyRowsReply;
import io.allidb.dataplane.cluster.proto.ApplyRowsRequest;
import io.allidb.dataplane.cluster.proto.DeliverHintsReply;
import io.allidb.dataplane.cluster.proto.DeliverHintsRequest;
import io.allidb.dataplane.cluster.proto.GossipAck2Reply;
import io.allidb.dataplane.cluster.proto.GossipDigestAck;
import io.allidb.dataplane.cluster.proto.GossipDigestAck2;
import io.allidb.dataplane.cluster.proto.GossipDigestSyn;
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
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code allidb.internode.v1.Internode} service: gossip RPCs go to the {@link GossipReceiver},
 * data RPCs to the {@link ReplicaHandler} ({@code UNIMPLEMENTED} while there is none).
 *
 * <p>Failures map to statuses: {@link IllegalArgumentException} to {@code INVALID_ARGUMENT} with
 * its message (it describes the caller's request), {@link IOException} to {@code UNAVAILABLE} (the
 * coordinator tries another replica or hints), anything else to {@code INTERNAL}; the detail of the
 * last two stays in this node's log. Thread-safe if its handlers are.
 */
final class InternodeService extends InternodeGrpc.InternodeImplBase {
  private static final Logger logger = LoggerFactory.getLogger(InternodeService.class);

  private final GossipReceiver gossip;
  private final ReplicaHandler replicas;

  InternodeService(GossipReceiver gossip, ReplicaHandler replicas) {
    this.gossip = gossip;
    this.replicas = replicas;
  }

  @FunctionalInterface
  private interface Handler<T> {
    T handle() throws IOException;
  }

  private static <T> void answer(String rpc, StreamObserver<T> out, Handler<T> handler) {
    T reply;
    try {
      reply = handler.handle();
    } catch (Exception e) {
      out.onError(toStatus(rpc, e));
      return;
    }
    out.onNext(reply);
    out.onCompleted();
  }

  static StatusRuntimeException toStatus(String rpc, Exception e) {
    if (e instanceof StatusRuntimeException s) {
      return s;
    }
    if (e instanceof IllegalArgumentException) {
      return Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
    }
    if (e instanceof IOException) {
      logger.warn("internode {} failed", rpc, e);
      return Status.UNAVAILABLE
          .withDescription(rpc + ": I/O error on this node (details in its log)")
          .asRuntimeException();
    }
    logger.error("internode {} failed", rpc, e);
    return Status.INTERNAL
        .withDescription(rpc + ": internal error on this node (details in its log)")
        .asRuntimeException();
  }

  private ReplicaHandler replicas(String rpc) {
    if (replicas == null) {
      throw Status.UNIMPLEMENTED
          .withDescription(rpc + ": this node serves no replica requests yet")
          .asRuntimeException();
    }
    return replicas;
  }

  @Override
  public void gossipSyn(GossipDigestSyn request, StreamObserver<GossipDigestAck> out) {
    answer("GossipSyn", out, () -> gossip.onSyn(request));
  }

  @Override
  public void gossipAck2(GossipDigestAck2 request, StreamObserver<GossipAck2Reply> out) {
    answer(
        "GossipAck2",
        out,
        () -> {
          gossip.onAck2(request);
          return GossipAck2Reply.getDefaultInstance();
        });
  }

  @Override
  public void applyRows(ApplyRowsRequest request, StreamObserver<ApplyRowsReply> out) {
    answer("ApplyRows", out, () -> replicas("ApplyRows").applyRows(request));
  }

  @Override
  public void readRows(ReadRowsRequest request, StreamObserver<ReadRowsReply> out) {
    answer("ReadRows", out, () -> replicas("ReadRows").readRows(request));
  }

  @Override
  public void deliverHints(DeliverHintsRequest request, StreamObserver<DeliverHintsReply> out) {
    answer("DeliverHints", out, () -> replicas("DeliverHints").deliverHints(request));
  }

  @Override
  public void localSearch(LocalSearchRequest request, StreamObserver<LocalSearchReply> out) {
    answer("LocalSearch", out, () -> replicas("LocalSearch").localSearch(request));
  }

  @Override
  public void localExpand(LocalExpandRequest request, StreamObserver<LocalExpandReply> out) {
    answer("LocalExpand", out, () -> replicas("LocalExpand").localExpand(request));
  }

  @Override
  public void localScan(LocalScanRequest request, StreamObserver<LocalScanReply> out) {
    answer("LocalScan", out, () -> replicas("LocalScan").localScan(request));
  }

  @Override
  public void localTextStats(
      LocalTextStatsRequest request, StreamObserver<LocalTextStatsReply> out) {
    answer("LocalTextStats", out, () -> replicas("LocalTextStats").localTextStats(request));
  }

  @Override
  public void localTextSearch(
      LocalTextSearchRequest request, StreamObserver<LocalTextSearchReply> out) {
    answer("LocalTextSearch", out, () -> replicas("LocalTextSearch").localTextSearch(request));
  }

  @Override
  public void streamRows(StreamRowsRequest request, StreamObserver<StreamRowsReply> out) {
    answer("StreamRows", out, () -> replicas("StreamRows").streamRows(request));
  }

  @Override
  public void merkleTree(MerkleTreeRequest request, StreamObserver<MerkleTreeReply> out) {
    answer("MerkleTree", out, () -> replicas("MerkleTree").merkleTree(request));
  }
}
