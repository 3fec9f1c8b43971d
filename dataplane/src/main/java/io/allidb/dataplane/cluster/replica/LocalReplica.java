package io.allidb.dataplane.cluster.replica;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.allidb.api.proto.Entity;
import io.allidb.api.proto.QueryFilter;
import io.allidb.api.proto.TraversalDirection;
import io.allidb.dataplane.cluster.proto.ApplyRowsReply;
import io.allidb.dataplane.cluster.proto.ApplyRowsRequest;
import io.allidb.dataplane.cluster.proto.DeliverHintsReply;
import io.allidb.dataplane.cluster.proto.DeliverHintsRequest;
import io.allidb.dataplane.cluster.proto.ExpandedEdge;
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
import io.allidb.dataplane.cluster.proto.SearchHit;
import io.allidb.dataplane.cluster.proto.StreamRowsReply;
import io.allidb.dataplane.cluster.proto.StreamRowsRequest;
import io.allidb.dataplane.cluster.proto.TextHit;
import io.allidb.dataplane.cluster.repair.MerkleTree;
import io.allidb.dataplane.cluster.repair.MerkleTreeFormat;
import io.allidb.dataplane.cluster.repair.MerkleTrees;
import io.allidb.dataplane.cluster.ring.Murmur3Partitioner;
import io.allidb.dataplane.cluster.ring.TokenRange;
import io.allidb.dataplane.cluster.streaming.RowChunks;
import io.allidb.dataplane.cluster.transport.ReplicaHandler;
import io.allidb.dataplane.index.graph.Direction;
import io.allidb.dataplane.index.graph.Edge;
import io.allidb.dataplane.index.vector.VectorHit;
import io.allidb.dataplane.node.EntityStore;
import io.allidb.dataplane.query.QueryFilters;
import io.allidb.dataplane.query.ScoreComponents;
import io.allidb.dataplane.query.hybrid.TextIndex;
import io.allidb.dataplane.storage.StorageEngine;
import io.allidb.dataplane.storage.row.Row;
import io.allidb.dataplane.storage.row.RowKey;
import io.allidb.dataplane.util.CallDeadline;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What this node does as a replica for a coordinator (itself or a peer): apply and read rows, and
 * the per-node halves of queries and scans restricted to the token ranges the coordinator asked
 * this node to cover.
 *
 * <p>Range restriction is what lets a coordinator ask each range of the ring exactly once: a node
 * replicates many ranges, and answering outside the asked ones would count an entity twice (or from
 * a replica the coordinator did not choose). ANN searches apply the restriction inside the index
 * search ({@link io.allidb.dataplane.index.vector.VectorIndex#search} filters before its top-k
 * cut), so {@code limit} in-range hits come back whenever that many exist, however small the asked
 * share of this node's data.
 *
 * <p>Replicas trust their coordinator (node identity is checked by the internode transport): rows
 * name their tenant and are applied as given. Thread-safe.
 */
public final class LocalReplica implements ReplicaHandler {
  private static final int MAX_BATCH_ROWS = 10_000;

  private final EntityStore store;
  private final StorageEngine storage;

  public LocalReplica(EntityStore store) {
    this.store = store;
    this.storage = store.storage();
  }

  @Override
  public ApplyRowsReply applyRows(ApplyRowsRequest request) throws IOException {
    return ApplyRowsReply.newBuilder().setApplied(apply(request.getRowsList())).build();
  }

  @Override
  public DeliverHintsReply deliverHints(DeliverHintsRequest request) throws IOException {
    return DeliverHintsReply.newBuilder().setApplied(apply(request.getRowsList())).build();
  }

  private int apply(List<io.allidb.dataplane.cluster.proto.StoredRow> rows) throws IOException {
    if (rows.size() > MAX_BATCH_ROWS) {
      throw new IllegalArgumentException(
          "at most " + MAX_BATCH_ROWS + " rows per call; got " + rows.size());
    }
    return store.apply(StoredRows.fromProto(rows));
  }

  /**
   * The winning version of each key, tombstones and expired rows included: the coordinator merges
   * replicas last-write-wins, and a newer tombstone must beat an older live row on another replica.
   */
  @Override
  public ReadRowsReply readRows(ReadRowsRequest request) throws IOException {
    var reply = ReadRowsReply.newBuilder();
    for (var k : request.getKeysList()) {
      CallDeadline.check();
      RowKey key = RowKey.of(k.getTenant(), k.getId());
      Optional<Row> row = storage.getRow(key);
      if (request.getDigestOnly()) {
        reply.addDigests(StoredRows.digest(key, row));
      } else {
        row.ifPresent(r -> reply.addRows(StoredRows.toProto(r)));
      }
    }
    return reply.build();
  }

  /**
   * Nearest neighbours among the tenant's entities whose token lies in the asked ranges and that
   * pass the filter; similarity as the index reports it (higher is closer), ties by id.
   */
  @Override
  public LocalSearchReply localSearch(LocalSearchRequest request) throws IOException {
    String tenant = requireTenant(request.getTenant());
    List<TokenRange> ranges = StoredRows.ranges(request.getRangesList());
    if (request.getLimit() < 1) {
      throw new IllegalArgumentException("limit must be >= 1; got " + request.getLimit());
    }
    if (store.vectors().dimension(tenant).isEmpty()) {
      return LocalSearchReply.getDefaultInstance();
    }
    QueryFilter filter = parseFilter(request.getFilter().toByteArray());
    boolean filtered = !filter.equals(QueryFilter.getDefaultInstance());
    Predicate<String> accept =
        id ->
            StoredRows.anyContains(ranges, Murmur3Partitioner.token(tenant, id))
                && (!filtered || matches(tenant, id, filter));
    float[] query = ScoreComponents.toArray(request.getVectorList());
    List<VectorHit> hits;
    try {
      hits = store.vectors().search(tenant, query, request.getLimit(), request.getEf(), accept);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    var reply = LocalSearchReply.newBuilder();
    for (VectorHit h : hits) {
      reply.addHits(SearchHit.newBuilder().setId(h.entityId()).setSimilarity(h.similarity()));
    }
    return reply.build();
  }

  private boolean matches(String tenant, String id, QueryFilter filter) {
    try {
      Optional<Entity> e = storage.get(tenant, id);
      return e.isPresent() && QueryFilters.matches(e.get(), filter);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static QueryFilter parseFilter(byte[] bytes) {
    try {
      return QueryFilter.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("filter is not an allidb.QueryFilter: " + e.getMessage());
    }
  }

  /** BM25 statistics of the tenant's text in the asked ranges, for the query's terms. */
  @Override
  public LocalTextStatsReply localTextStats(LocalTextStatsRequest request) throws IOException {
    String tenant = requireTenant(request.getTenant());
    List<TokenRange> ranges = StoredRows.ranges(request.getRangesList());
    TextIndex.TextStats stats = store.text().stats(tenant, request.getQueryText(), ranges);
    return LocalTextStatsReply.newBuilder().setStats(TextStatsMessages.toProto(stats)).build();
  }

  /**
   * The tenant's best BM25 hits among entities whose token lies in the asked ranges, scored with
   * the given statistics (the ring's) when present; best first, ties by id.
   */
  @Override
  public LocalTextSearchReply localTextSearch(LocalTextSearchRequest request) throws IOException {
    String tenant = requireTenant(request.getTenant());
    List<TokenRange> ranges = StoredRows.ranges(request.getRangesList());
    if (request.getLimit() < 1) {
      throw new IllegalArgumentException("limit must be >= 1; got " + request.getLimit());
    }
    TextIndex.TextStats stats =
        request.hasStats() ? TextStatsMessages.fromProto(request.getStats()) : null;
    var reply = LocalTextSearchReply.newBuilder();
    for (TextIndex.TextHit h :
        store.text().search(tenant, request.getQueryText(), request.getLimit(), ranges, stats)) {
      reply.addHits(TextHit.newBuilder().setId(h.entityId()).setScore(h.score()));
    }
    return reply.build();
  }

  /**
   * One hop from each frontier entity over the edges this node stores whose <em>source</em> lies in
   * the asked ranges: outgoing edges of in-range frontier entities, and incoming edges from
   * in-range sources. Every edge is stored on its source's row, so asking every range once sees
   * every edge exactly once. Per frontier entity at most {@code max_fanout} edges (0: all), in the
   * graph index's order (weight descending, then the other end's id, relation, source).
   */
  @Override
  public LocalExpandReply localExpand(LocalExpandRequest request) {
    String tenant = requireTenant(request.getTenant());
    List<TokenRange> ranges = StoredRows.ranges(request.getRangesList());
    if (request.getMaxFanout() < 0) {
      throw new IllegalArgumentException("max_fanout must be >= 0; got " + request.getMaxFanout());
    }
    int cap = request.getMaxFanout() == 0 ? Integer.MAX_VALUE : request.getMaxFanout();
    Direction dir = direction(request.getDirection());
    Set<String> relations = Set.copyOf(request.getRelationTypesList());
    var reply = LocalExpandReply.newBuilder();
    for (String id : request.getFrontierList()) {
      CallDeadline.check();
      int taken = 0;
      for (Edge e : store.graph().neighbors(tenant, id, dir, relations, Integer.MAX_VALUE)) {
        if (taken == cap) {
          break;
        }
        if (StoredRows.anyContains(ranges, Murmur3Partitioner.token(tenant, e.from()))) {
          reply.addEdges(
              ExpandedEdge.newBuilder()
                  .setFrom(e.from())
                  .setTo(e.to())
                  .setRelationType(e.relation())
                  .setWeight((float) e.weight()));
          taken++;
        }
      }
    }
    return reply.build();
  }

  /** Maps {@code allidb.TraversalDirection} numbers; unspecified means both, as in queries. */
  static Direction direction(int number) {
    TraversalDirection d = TraversalDirection.forNumber(number);
    if (d == null) {
      throw new IllegalArgumentException("unknown traversal direction " + number);
    }
    return switch (d) {
      case TRAVERSAL_DIRECTION_OUTGOING -> Direction.OUTGOING;
      case TRAVERSAL_DIRECTION_INCOMING -> Direction.INCOMING;
      default -> Direction.BOTH;
    };
  }

  /**
   * The tenant's rows (tombstones included) in id order after {@code after_id} (or from {@code
   * start_id}), in the asked ranges; {@code exhausted} when no further row exists there.
   */
  @Override
  public LocalScanReply localScan(LocalScanRequest request) throws IOException {
    String tenant = requireTenant(request.getTenant());
    List<TokenRange> ranges = StoredRows.ranges(request.getRangesList());
    StorageEngine.RowPage page =
        storage.scanRows(
            tenant,
            request.getAfterId().isEmpty() ? request.getStartId() : request.getAfterId(),
            request.getAfterId().isEmpty(),
            request.getEndId(),
            request.getLimit(),
            k -> StoredRows.anyContains(ranges, Murmur3Partitioner.token(k.tenant(), k.id())));
    return LocalScanReply.newBuilder()
        .addAllRows(StoredRows.toProto(page.rows()))
        .setExhausted(page.exhausted())
        .build();
  }

  /** A checksummed page of this node's rows in the asked ranges (streaming and repair). */
  @Override
  public StreamRowsReply streamRows(StreamRowsRequest request) throws IOException {
    return RowChunks.serve(storage, request);
  }

  /** Merkle trees of this node's rows in the asked ranges, built in one pass. */
  @Override
  public MerkleTreeReply merkleTree(MerkleTreeRequest request) throws IOException {
    var reply = MerkleTreeReply.newBuilder();
    for (MerkleTree t :
        MerkleTrees.build(
            storage, StoredRows.ranges(request.getRangesList()), request.getDepth())) {
      reply.addTrees(ByteString.copyFrom(MerkleTreeFormat.encode(t)));
    }
    return reply.build();
  }

  private static String requireTenant(String tenant) {
    if (tenant.isEmpty()) {
      throw new IllegalArgumentException("tenant is required");
    }
    return tenant;
  }
}
