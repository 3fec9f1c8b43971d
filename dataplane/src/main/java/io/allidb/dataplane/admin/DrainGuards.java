package io.allidb.dataplane.admin;

import io.allidb.api.proto.AlliDBGrpc;
import io.allidb.dataplane.cluster.proto.ApplyRowsReply;
import io.allidb.dataplane.cluster.proto.ApplyRowsRequest;
import io.allidb.dataplane.cluster.proto.DeliverHintsReply;
import io.allidb.dataplane.cluster.proto.DeliverHintsRequest;
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
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.io.IOException;
import java.util.Set;

/**
 * Where a drained node refuses writes: the public API's write methods (an interceptor) and the
 * replica's apply and hint delivery (a {@link ReplicaHandler} decorator). Reads keep working. Both
 * answer UNAVAILABLE, which coordinators treat as a replica failure (they hint the rows).
 */
public final class DrainGuards {
  private static final Set<String> WRITES =
      Set.of(
          AlliDBGrpc.getPutEntityMethod().getFullMethodName(),
          AlliDBGrpc.getBatchPutEntitiesMethod().getFullMethodName(),
          AlliDBGrpc.getDeleteEntityMethod().getFullMethodName(),
          // extraction writes the entities it finds (dry runs too are refused while drained)
          AlliDBGrpc.getExtractEntitiesMethod().getFullMethodName(),
          AlliDBGrpc.getReplicaWriteMethod().getFullMethodName());

  private DrainGuards() {}

  /** Refuses the public write methods once the node is drained. */
  public static ServerInterceptor publicWrites(DrainState drain) {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (drain.isDrained() && WRITES.contains(call.getMethodDescriptor().getFullMethodName())) {
          call.close(
              Status.UNAVAILABLE.withDescription(
                  "this node is drained and takes no writes until it restarts"),
              new Metadata());
          return new ServerCall.Listener<>() {};
        }
        return next.startCall(call, headers);
      }
    };
  }

  /** A replica that refuses applies and hint deliveries once the node is drained. */
  public static ReplicaHandler replica(ReplicaHandler delegate, DrainState drain) {
    return new ReplicaHandler() {
      @Override
      public ApplyRowsReply applyRows(ApplyRowsRequest r) throws IOException {
        drain.checkWritable();
        return delegate.applyRows(r);
      }

      @Override
      public DeliverHintsReply deliverHints(DeliverHintsRequest r) throws IOException {
        drain.checkWritable();
        return delegate.deliverHints(r);
      }

      @Override
      public ReadRowsReply readRows(ReadRowsRequest r) throws IOException {
        return delegate.readRows(r);
      }

      @Override
      public LocalSearchReply localSearch(LocalSearchRequest r) throws IOException {
        return delegate.localSearch(r);
      }

      @Override
      public LocalExpandReply localExpand(LocalExpandRequest r) throws IOException {
        return delegate.localExpand(r);
      }

      @Override
      public LocalScanReply localScan(LocalScanRequest r) throws IOException {
        return delegate.localScan(r);
      }

      @Override
      public LocalTextStatsReply localTextStats(LocalTextStatsRequest r) throws IOException {
        return delegate.localTextStats(r);
      }

      @Override
      public LocalTextSearchReply localTextSearch(LocalTextSearchRequest r) throws IOException {
        return delegate.localTextSearch(r);
      }

      @Override
      public StreamRowsReply streamRows(StreamRowsRequest r) throws IOException {
        return delegate.streamRows(r);
      }

      @Override
      public MerkleTreeReply merkleTree(MerkleTreeRequest r) throws IOException {
        return delegate.merkleTree(r);
      }
    };
  }
}
