package io.allidb.dataplane.cluster.coordinator;

import io.allidb.api.proto.ConsistencyLevel;
import io.allidb.dataplane.cluster.ClusterView;
import io.allidb.dataplane.cluster.hints.HintStore;
import io.allidb.dataplane.cluster.proto.ApplyRowsRequest;
import io.allidb.dataplane.cluster.replica.StoredRows;
import io.allidb.dataplane.cluster.ring.Murmur3Partitioner;
import io.allidb.dataplane.cluster.ring.TokenRing;
import io.allidb.dataplane.storage.row.Row;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write half of the coordinator: rows already timestamped here go to every replica of their key
 * in parallel, and the call returns as soon as each row has the acknowledgements its consistency
 * level needs (not when the slowest replica answers).
 *
 * <ul>
 *   <li>Before anything is sent, every row must have enough live replicas to reach the level;
 *       otherwise nothing is written and the caller gets UNAVAILABLE naming the down replicas.
 *   <li>A replica the failure detector calls down gets the rows as a durable hint, written before
 *       the call returns. A replica that fails or times out gets them as a hint when its failure is
 *       known, which may be after the call returned.
 *   <li>When too many replicas fail the call ends with UNAVAILABLE, or DEADLINE_EXCEEDED after the
 *       write timeout. Rows may then be on some replicas (there is no rollback): as in Cassandra, a
 *       failed write may still become visible, and a retry is safe.
 * </ul>
 *
 * <p>While a ring change is in flight, a key's pending replicas ({@link
 * ClusterView#pendingReplicasFor}) are written too and must all acknowledge on top of the level.
 *
 * <p>Rows are grouped per replica, so a batch costs one ApplyRows call per replica. The local
 * replica is called directly, after the remote calls are on their way. Thread-safe.
 */
public final class WriteCoordinator {
  private static final Logger logger = LoggerFactory.getLogger(WriteCoordinator.class);

  private final ClusterView view;
  private final ReplicaCalls calls;
  private final HintStore hints;
  private final Duration timeout;

  public WriteCoordinator(
      ClusterView view, ReplicaCalls calls, HintStore hints, Duration writeTimeout) {
    this.view = view;
    this.calls = calls;
    this.hints = hints;
    this.timeout = writeTimeout;
  }

  /**
   * Writes rows at {@code level}.
   *
   * @throws StatusRuntimeException UNAVAILABLE when too few replicas are alive to try, or too many
   *     failed; DEADLINE_EXCEEDED when the level was not met within the write timeout
   * @throws IOException when hints for a down replica cannot be stored
   */
  public void write(List<Row> rows, ConsistencyLevel level) throws IOException {
    if (rows.isEmpty()) {
      return;
    }
    TokenRing ring = view.ring();
    int rf = view.replicationFactor();
    var tracker = new WriteTracker(rows.size(), level);
    var sendTo = new LinkedHashMap<String, List<Integer>>();
    var hintFor = new LinkedHashMap<String, List<Row>>();
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      long token = Murmur3Partitioner.token(r.key().tenant(), r.key().id());
      List<String> natural = ring.replicasFor(token, rf);
      List<String> pending = view.pendingReplicasFor(token);
      // Cassandra's blockFor + pending: the level counts over the natural replicas, and every
      // replica the key is gaining must acknowledge as well, so the write survives the change
      int required =
          natural.isEmpty()
              ? 0
              : ConsistencyLevels.required(level, natural.size()) + pending.size();
      List<String> replicas = natural;
      if (!pending.isEmpty()) {
        replicas = new ArrayList<>(natural);
        replicas.addAll(pending);
      }
      var down = new ArrayList<String>();
      for (String host : replicas) {
        if (view.isAlive(host)) {
          sendTo.computeIfAbsent(host, h -> new ArrayList<>()).add(i);
        } else {
          down.add(host);
          hintFor.computeIfAbsent(host, h -> new ArrayList<>()).add(r);
        }
      }
      if (natural.isEmpty() || replicas.size() - down.size() < required) {
        throw ConsistencyLevels.unavailable(
            "key " + r.key(), level, Math.max(required, 1), replicas, down);
      }
      tracker.expect(i, required, replicas.size() - down.size());
    }
    for (var e : hintFor.entrySet()) {
      hints.add(e.getKey(), e.getValue());
    }
    // remote calls first, so they travel while the local replica writes
    var order = new ArrayList<>(sendTo.keySet());
    order.sort((a, b) -> Boolean.compare(calls.isLocal(a), calls.isLocal(b)));
    for (String host : order) {
      int[] idx = sendTo.get(host).stream().mapToInt(Integer::intValue).toArray();
      var batch = new ArrayList<Row>(idx.length);
      for (int i : idx) {
        batch.add(rows.get(i));
      }
      var request =
          ApplyRowsRequest.newBuilder()
              .setFromHostId(calls.localHostId())
              .setRingEpoch(ring.epoch())
              .addAllRows(StoredRows.toProto(batch))
              .build();
      calls
          .applyRows(host, request)
          .whenComplete(
              (reply, error) -> {
                if (error == null) {
                  tracker.ack(idx);
                } else {
                  hintAfterFailure(host, batch, error);
                  tracker.fail(idx, host, error);
                }
              });
    }
    await(tracker.done(), tracker, level);
  }

  private void hintAfterFailure(String host, List<Row> rows, Throwable error) {
    Status status = Status.fromThrowable(error);
    if (status.getCode() == Status.Code.INVALID_ARGUMENT) {
      return; // the replica refused the rows themselves: replaying them would fail the same way
    }
    try {
      hints.add(host, rows);
    } catch (IOException | RuntimeException e) {
      logger.error("could not store {} hints for {} after its write failed", rows.size(), host, e);
    }
  }

  private void await(CompletableFuture<Void> done, WriteTracker tracker, ConsistencyLevel level)
      throws IOException {
    try {
      done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw Status.DEADLINE_EXCEEDED
          .withDescription(
              "write timed out after "
                  + timeout.toMillis()
                  + " ms at "
                  + ConsistencyLevels.name(level)
                  + ": "
                  + tracker.progress())
          .asRuntimeException();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StatusRuntimeException s) {
        throw s;
      }
      throw new IOException("write failed", e.getCause());
    }
  }

  /** Per-row acknowledgement counting; completes when every row met its level. */
  private static final class WriteTracker {
    private final int[] acks;
    private final int[] required;
    private final int[] outstanding;
    private final ConsistencyLevel level;
    private final Map<String, String> failures = new LinkedHashMap<>();
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private int satisfied;

    WriteTracker(int rows, ConsistencyLevel level) {
      this.acks = new int[rows];
      this.required = new int[rows];
      this.outstanding = new int[rows];
      this.level = level;
    }

    void expect(int row, int needed, int sent) {
      required[row] = needed;
      outstanding[row] = sent;
    }

    CompletableFuture<Void> done() {
      return done;
    }

    synchronized void ack(int[] rows) {
      for (int i : rows) {
        outstanding[i]--;
        if (++acks[i] == required[i] && ++satisfied == acks.length) {
          done.complete(null);
        }
      }
    }

    synchronized void fail(int[] rows, String host, Throwable error) {
      failures.put(host, Status.fromThrowable(error).toString());
      for (int i : rows) {
        outstanding[i]--;
        if (acks[i] < required[i] && acks[i] + outstanding[i] < required[i]) {
          done.completeExceptionally(
              Status.UNAVAILABLE
                  .withDescription(
                      "write failed at "
                          + ConsistencyLevels.name(level)
                          + ": "
                          + acks[i]
                          + " of "
                          + required[i]
                          + " required replicas acknowledged; failed: "
                          + failures)
                  .asRuntimeException());
          return;
        }
      }
    }

    synchronized String progress() {
      return satisfied + " of " + acks.length + " rows reached the level; failed: " + failures;
    }
  }
}
