package io.allidb.dataplane.cluster;

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
import io.allidb.dataplane.cluster.transport.ReplicaHandler;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.IOException;

/**
 * The data RPCs of the internode service for tests, delegating to a {@link ReplicaHandler} with the
 * documented status mapping. Gossip RPCs stay unimplemented here (the gossip work's InternodeServer
 * serves the full service).
 */
public final class TestingInternodeService extends InternodeGrpc.InternodeImplBase {
  private final ReplicaHandler replica;

  public TestingInternodeService(ReplicaHandler replica) {
    this.replica = replica;
  }

  @FunctionalInterface
  private interface Call<R> {
    R run() throws IOException;
  }

  private static <R> void unary(StreamObserver<R> out, Call<R> call) {
    R reply;
    try {
      reply = call.run();
    } catch (IllegalArgumentException e) {
      out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
      return;
    } catch (StatusRuntimeException e) {
      out.onError(e);
      return;
    } catch (IOException | RuntimeException e) {
      out.onError(Status.UNAVAILABLE.withDescription(e.toString()).asRuntimeException());
      return;
    }
    out.onNext(reply);
    out.onCompleted();
  }

  @Override
  public void applyRows(ApplyRowsRequest r, StreamObserver<ApplyRowsReply> out) {
    unary(out, () -> replica.applyRows(r));
  }

  @Override
  public void readRows(ReadRowsRequest r, StreamObserver<ReadRowsReply> out) {
    unary(out, () -> replica.readRows(r));
  }

  @Override
  public void deliverHints(DeliverHintsRequest r, StreamObserver<DeliverHintsReply> out) {
    unary(out, () -> replica.deliverHints(r));
  }

  @Override
  public void localSearch(LocalSearchRequest r, StreamObserver<LocalSearchReply> out) {
    unary(out, () -> replica.localSearch(r));
  }

  @Override
  public void localExpand(LocalExpandRequest r, StreamObserver<LocalExpandReply> out) {
    unary(out, () -> replica.localExpand(r));
  }

  @Override
  public void localTextStats(LocalTextStatsRequest r, StreamObserver<LocalTextStatsReply> out) {
    unary(out, () -> replica.localTextStats(r));
  }

  @Override
  public void localTextSearch(LocalTextSearchRequest r, StreamObserver<LocalTextSearchReply> out) {
    unary(out, () -> replica.localTextSearch(r));
  }

  @Override
  public void localScan(LocalScanRequest r, StreamObserver<LocalScanReply> out) {
    unary(out, () -> replica.localScan(r));
  }

  @Override
  public void streamRows(StreamRowsRequest r, StreamObserver<StreamRowsReply> out) {
    unary(out, () -> replica.streamRows(r));
  }

  @Override
  public void merkleTree(MerkleTreeRequest r, StreamObserver<MerkleTreeReply> out) {
    unary(out, () -> replica.merkleTree(r));
  }
}
