package io.allidb.dataplane.cluster.repair;

import io.allidb.dataplane.cluster.coordinator.ReplicaCalls;
import io.allidb.dataplane.cluster.proto.ApplyRowsRequest;
import io.allidb.dataplane.cluster.proto.StreamRowsReply;
import io.allidb.dataplane.cluster.proto.StreamRowsRequest;
import io.allidb.dataplane.cluster.replica.StoredRows;
import io.allidb.dataplane.cluster.ring.TokenRange;
import io.allidb.dataplane.cluster.streaming.RowChunks;
import io.allidb.dataplane.storage.row.LastWriteWins;
import io.allidb.dataplane.storage.row.Row;
import io.allidb.dataplane.storage.row.RowKey;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Makes a set of replicas agree on the rows of some token subranges: reads every replica's rows
 * there (checksummed pages), picks the winner of each key by last-write-wins, and sends each
 * replica the winners it lacks or holds an older version of. Both directions at once: whichever
 * replica holds the newest version (a live row or a tombstone), that version ends up everywhere.
 *
 * <p>Holds the rows of the asked subranges of all replicas in memory, so callers pass a few Merkle
 * leaves at a time. Not thread-safe; one per repair job.
 */
final class RangeSync {
  static final int APPLY_BATCH = 1000;
  private static final long CALL_TIMEOUT_S = 120;

  private final ReplicaCalls calls;
  private long rowsSent;
  private long bytesSent;

  RangeSync(ReplicaCalls calls) {
    this.calls = calls;
  }

  long rowsSent() {
    return rowsSent;
  }

  long bytesSent() {
    return bytesSent;
  }

  /** Synchronises {@code replicas} on {@code subranges}; returns the rows sent. */
  long sync(List<String> replicas, List<TokenRange> subranges) throws IOException {
    Map<String, Map<RowKey, Row>> held = new HashMap<>();
    var winners = new TreeMap<RowKey, Row>();
    for (String host : replicas) {
      Map<RowKey, Row> rows = readAll(host, subranges);
      held.put(host, rows);
      rows.forEach((k, r) -> winners.merge(k, r, LastWriteWins::resolve));
    }
    long sent = 0;
    for (String host : replicas) {
      Map<RowKey, Row> mine = held.get(host);
      var missing = new ArrayList<Row>();
      for (Row w : winners.values()) {
        Row r = mine.get(w.key());
        if (r == null || LastWriteWins.compare(w, r) > 0) {
          missing.add(w);
        }
      }
      for (int i = 0; i < missing.size(); i += APPLY_BATCH) {
        List<Row> batch = missing.subList(i, Math.min(missing.size(), i + APPLY_BATCH));
        var request =
            ApplyRowsRequest.newBuilder()
                .setFromHostId(calls.localHostId())
                .addAllRows(StoredRows.toProto(batch))
                .build();
        await(calls.applyRows(host, request), "ApplyRows to " + host);
        for (Row r : batch) {
          bytesSent += r.value().length + r.key().encodedSize();
        }
      }
      sent += missing.size();
    }
    rowsSent += sent;
    return sent;
  }

  private Map<RowKey, Row> readAll(String host, List<TokenRange> subranges) throws IOException {
    var out = new HashMap<RowKey, Row>();
    var request =
        StreamRowsRequest.newBuilder()
            .setFromHostId(calls.localHostId())
            .addAllRanges(StoredRows.toProtoRanges(subranges))
            .setLimit(RowChunks.MAX_ROWS);
    while (true) {
      StreamRowsReply page = await(calls.streamRows(host, request.build()), "StreamRows " + host);
      List<Row> rows = RowChunks.verify(host, page);
      for (Row r : rows) {
        out.put(r.key(), r);
      }
      if (page.getExhausted() || rows.isEmpty()) {
        return out;
      }
      RowKey last = rows.get(rows.size() - 1).key();
      request.setAfterTenant(last.tenant()).setAfterId(last.id());
    }
  }

  static <T> T await(java.util.concurrent.CompletableFuture<T> f, String what) throws IOException {
    try {
      return f.get(CALL_TIMEOUT_S, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(what + ": interrupted", e);
    } catch (ExecutionException e) {
      throw new IOException(what + " failed: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IOException(what + " timed out after " + CALL_TIMEOUT_S + " s", e);
    }
  }
}
