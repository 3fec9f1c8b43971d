package io.allidb.dataplane.cluster.transport;

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
import io.grpc.Status;
import java.io.IOException;

/**
 * The data half of the internode service: what a replica does for a coordinator. The internode gRPC
 * service decodes calls and hands them here (gossip goes to the gossiper); failures map to gRPC
 * statuses there ({@link IllegalArgumentException} to INVALID_ARGUMENT, {@link IOException} to
 * UNAVAILABLE).
 */
public interface ReplicaHandler {

  ApplyRowsReply applyRows(ApplyRowsRequest request) throws IOException;

  ReadRowsReply readRows(ReadRowsRequest request) throws IOException;

  DeliverHintsReply deliverHints(DeliverHintsRequest request) throws IOException;

  LocalSearchReply localSearch(LocalSearchRequest request) throws IOException;

  LocalExpandReply localExpand(LocalExpandRequest request) throws IOException;

  LocalScanReply localScan(LocalScanRequest request) throws IOException;

  /** BM25 statistics of the asked token ranges (hybrid search); see internode.proto. */
  default LocalTextStatsReply localTextStats(LocalTextStatsRequest request) throws IOException {
    throw Status.UNIMPLEMENTED
        .withDescription("LocalTextStats: not served here")
        .asRuntimeException();
  }

  /** The best BM25 hits in the asked token ranges (hybrid search); see internode.proto. */
  default LocalTextSearchReply localTextSearch(LocalTextSearchRequest request) throws IOException {
    throw Status.UNIMPLEMENTED
        .withDescription("LocalTextSearch: not served here")
        .asRuntimeException();
  }

  /** A page of this node's rows in token ranges (streaming and repair); see internode.proto. */
  default StreamRowsReply streamRows(StreamRowsRequest request) throws IOException {
    throw Status.UNIMPLEMENTED.withDescription("StreamRows: not served here").asRuntimeException();
  }

  /** Merkle trees of this node's rows in token ranges (repair); see internode.proto. */
  default MerkleTreeReply merkleTree(MerkleTreeRequest request) throws IOException {
    throw Status.UNIMPLEMENTED.withDescription("MerkleTree: not served here").asRuntimeException();
  }
}
