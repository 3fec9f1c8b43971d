package io.allidb.dataplane.cluster.coordinator;

import com.google.protobuf.InvalidProtocolBufferException;
import io.allidb.api.proto.ConsistencyLevel;
import io.allidb.api.proto.Entity;
import io.allidb.dataplane.cluster.ClusterView;
import io.allidb.dataplane.cluster.proto.LocalScanReply;
import io.allidb.dataplane.cluster.proto.LocalScanRequest;
import io.allidb.dataplane.cluster.replica.StoredRows;
import io.allidb.dataplane.cluster.ring.TokenRange;
import io.allidb.dataplane.storage.EntityCodec;
import io.allidb.dataplane.storage.PageToken;
import io.allidb.dataplane.storage.ScanPage;
import io.allidb.dataplane.storage.row.CorruptRowException;
import io.allidb.dataplane.storage.row.LastWriteWins;
import io.allidb.dataplane.storage.row.Row;
import io.allidb.dataplane.storage.row.RowKey;
import io.allidb.dataplane.util.CallDeadline;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Cluster-wide scans of one tenant, in entity id order, as a single node scans.
 *
 * <p>Id order (rather than token order) keeps the page token what it is on a single node: the last
 * id returned ({@link PageToken}: opaque, checksummed, tenant-checked). It stays correct across
 * writes, ring changes and whichever node serves the next page, because it names a position in the
 * key space, not in any node's data.
 *
 * <p>A page is a k-way merge: the {@link RangeCover} replicas each stream their in-range rows in id
 * order ({@code LocalScan}, tombstones included). An id is final once it is at or below every
 * unfinished stream's last fetched id (ids compare as the storage engine orders them: UTF-8 bytes);
 * versions of one id from several replicas (at QUORUM) merge last-write-wins, and deleted or
 * expired winners are skipped. Streams are refilled until {@code limit + 1} live entities are known
 * (the extra one says whether a next page exists) or all are exhausted. Thread-safe.
 */
public final class ScanCoordinator {
  private static final int MAX_FETCH = 10_000;

  private final ClusterView view;
  private final ReplicaCalls calls;
  private final Duration timeout;
  private final Clock clock;

  public ScanCoordinator(ClusterView view, ReplicaCalls calls, Duration timeout, Clock clock) {
    this.view = view;
    this.calls = calls;
    this.timeout = timeout;
    this.clock = clock;
  }

  /** One replica's stream of rows. */
  private static final class Stream {
    final String host;
    final List<TokenRange> ranges;
    final ArrayDeque<Row> buffer = new ArrayDeque<>();
    String lastId;
    RowKey lastKey;
    boolean exhausted;
    CompletableFuture<LocalScanReply> pending;

    Stream(String host, List<TokenRange> ranges, String lastId) {
      this.host = host;
      this.ranges = ranges;
      this.lastId = lastId;
    }
  }

  /**
   * A page of the tenant's live entities with ids in {@code [startId, endId)}.
   *
   * @throws IllegalArgumentException for a malformed or foreign page token
   */
  public ScanPage scan(
      String tenant,
      String startId,
      String endId,
      int limit,
      String pageToken,
      ConsistencyLevel level)
      throws IOException {
    String after = pageToken.isEmpty() ? null : PageToken.decode(tenant, pageToken);
    if (after != null
        && !startId.isEmpty()
        && RowKey.lowerBound(tenant, after).compareTo(RowKey.lowerBound(tenant, startId)) < 0) {
      after = null; // a token before the start key: start at the start key
    }
    int fetch = Math.min(MAX_FETCH, limit + 1);
    var streams = new ArrayList<Stream>();
    for (Map.Entry<String, List<TokenRange>> e : RangeCover.of(view, level).entrySet()) {
      streams.add(new Stream(e.getKey(), e.getValue(), after));
    }
    long now = clock.millis() * 1000;
    var out = new ArrayList<Entity>(limit);
    String lastEmitted = null;
    while (true) {
      CallDeadline.check();
      refill(streams, tenant, startId, endId, fetch);
      RowKey frontier = null; // keys <= frontier are complete in every stream
      for (Stream s : streams) {
        if (!s.exhausted && (frontier == null || s.lastKey.compareTo(frontier) < 0)) {
          frontier = s.lastKey;
        }
      }
      Row next;
      while ((next = pollSmallest(streams, frontier)) != null) {
        if (next.isDeletedAt(now)) {
          continue;
        }
        if (out.size() == limit) {
          return new ScanPage(out, PageToken.encode(tenant, lastEmitted));
        }
        out.add(decode(next));
        lastEmitted = next.key().id();
      }
      if (frontier == null) {
        return new ScanPage(out, ""); // every stream exhausted and drained
      }
    }
  }

  /** Fetches the next rows of every unfinished stream whose buffer is empty, in parallel. */
  private void refill(List<Stream> streams, String tenant, String startId, String endId, int fetch)
      throws IOException {
    for (Stream s : streams) {
      if (!s.exhausted && s.buffer.isEmpty()) {
        var request =
            LocalScanRequest.newBuilder()
                .setTenant(tenant)
                .setStartId(startId)
                .setAfterId(s.lastId == null ? "" : s.lastId)
                .setEndId(endId)
                .setLimit(fetch)
                .addAllRanges(StoredRows.toProtoRanges(s.ranges));
        s.pending = calls.localScan(s.host, request.build());
      }
    }
    for (Stream s : streams) {
      if (s.pending != null) {
        LocalScanReply reply = Replies.await(s.pending, timeout);
        s.pending = null;
        reply.getRowsList().forEach(r -> s.buffer.add(StoredRows.fromProto(r)));
        s.exhausted = reply.getExhausted();
        if (!s.buffer.isEmpty()) {
          s.lastKey = s.buffer.peekLast().key();
          s.lastId = s.lastKey.id();
        } else if (!s.exhausted) {
          throw new IllegalStateException(s.host + " returned an empty, unfinished scan page");
        }
      }
    }
  }

  /**
   * Removes and returns the smallest buffered id at or below the frontier (null: none), merged
   * last-write-wins over the streams that hold it.
   */
  private static Row pollSmallest(List<Stream> streams, RowKey frontier) {
    RowKey smallest = null;
    for (Stream s : streams) {
      Row head = s.buffer.peekFirst();
      if (head != null && (smallest == null || head.key().compareTo(smallest) < 0)) {
        smallest = head.key();
      }
    }
    if (smallest == null || (frontier != null && smallest.compareTo(frontier) > 0)) {
      return null;
    }
    Row winner = null;
    for (Stream s : streams) {
      Row head = s.buffer.peekFirst();
      if (head != null && head.key().equals(smallest)) {
        s.buffer.pollFirst();
        winner = winner == null ? head : LastWriteWins.resolve(winner, head);
      }
    }
    return winner;
  }

  private static Entity decode(Row r) throws IOException {
    try {
      return EntityCodec.decode(r.value());
    } catch (InvalidProtocolBufferException e) {
      throw new CorruptRowException("entity " + r.key() + " does not decode: " + e.getMessage());
    }
  }
}
