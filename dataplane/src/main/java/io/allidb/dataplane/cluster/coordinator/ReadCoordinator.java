package io.allidb.dataplane.cluster.coordinator;

import io.allidb.api.proto.ConsistencyLevel;
import io.allidb.dataplane.cluster.ClusterView;
import io.allidb.dataplane.cluster.proto.ApplyRowsRequest;
import io.allidb.dataplane.cluster.proto.ReadRowsReply;
import io.allidb.dataplane.cluster.proto.ReadRowsRequest;
import io.allidb.dataplane.cluster.replica.StoredRows;
import io.allidb.dataplane.cluster.ring.Murmur3Partitioner;
import io.allidb.dataplane.storage.row.LastWriteWins;
import io.allidb.dataplane.storage.row.Row;
import io.allidb.dataplane.storage.row.RowKey;
import io.grpc.Status;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read half of the coordinator for single keys, with read repair.
 *
 * <ol>
 *   <li>The level's number of live replicas is contacted, this node first when it is a replica
 *       (cheapest), then in ring order: a data read from the first, digest reads from the others.
 *   <li>When every digest matches the data, that row is the answer.
 *   <li>Otherwise (a mismatch, or a contacted replica failed) every live replica is read in full;
 *       the newest row by {@link LastWriteWins} wins, and the replicas that answered with anything
 *       else are repaired with it. For QUORUM and ALL the answer waits for those repairs, so a
 *       value once read at QUORUM is on a quorum and no later QUORUM read can go back in time.
 *   <li>At ONE only one replica is asked; with probability {@code backgroundRepairChance} the other
 *       live replicas are compared after answering and repaired in the background, on the executor
 *       given to the constructor (a bounded, named pool: when it is full the repair is skipped,
 *       since a background repair is an optimisation and anti-entropy repair covers the rest).
 * </ol>
 *
 * <p>Thread-safe.
 */
public final class ReadCoordinator {
  private static final Logger logger = LoggerFactory.getLogger(ReadCoordinator.class);

  private final ClusterView view;
  private final ReplicaCalls calls;
  private final Duration timeout;
  private final double backgroundRepairChance;
  private final Executor backgroundRepairs;

  /**
   * @param backgroundRepairs runs the background repairs of reads at ONE; it may reject work when
   *     full (the repair is then skipped)
   */
  public ReadCoordinator(
      ClusterView view,
      ReplicaCalls calls,
      Duration readTimeout,
      double backgroundRepairChance,
      Executor backgroundRepairs) {
    this.view = view;
    this.calls = calls;
    this.timeout = readTimeout;
    this.backgroundRepairChance = backgroundRepairChance;
    this.backgroundRepairs = backgroundRepairs;
  }

  /**
   * The winning row of a key (possibly a tombstone or expired), or empty when no replica has one.
   */
  public Optional<Row> read(RowKey key, ConsistencyLevel level) throws IOException {
    List<String> replicas = replicas(key);
    var alive = new ArrayList<String>();
    var down = new ArrayList<String>();
    for (String h : replicas) {
      (view.isAlive(h) ? alive : down).add(h);
    }
    int required = ConsistencyLevels.required(level, replicas.size());
    if (replicas.isEmpty() || alive.size() < required) {
      throw ConsistencyLevels.unavailable("key " + key, level, required, replicas, down);
    }
    alive.sort((a, b) -> Boolean.compare(!calls.isLocal(a), !calls.isLocal(b)));
    List<String> contacted = alive.subList(0, required);
    Optional<Row> fast = dataAndDigests(key, contacted);
    if (fast != null) {
      if (required < alive.size()
          && level == ConsistencyLevel.CONSISTENCY_ONE
          && ThreadLocalRandom.current().nextDouble() < backgroundRepairChance) {
        try {
          backgroundRepairs.execute(() -> repairQuietly(key, alive, required));
        } catch (RejectedExecutionException e) {
          logger.debug("background read repair of {} skipped: {}", key, e.getMessage());
        }
      }
      return fast;
    }
    return fullReadAndRepair(key, alive, required, level != ConsistencyLevel.CONSISTENCY_ONE);
  }

  private List<String> replicas(RowKey key) {
    return view.ring()
        .replicasFor(Murmur3Partitioner.token(key.tenant(), key.id()), view.replicationFactor());
  }

  /** The data row when every contacted replica agrees; null on a mismatch or a failure. */
  private Optional<Row> dataAndDigests(RowKey key, List<String> contacted) {
    var keyProto =
        io.allidb.dataplane.cluster.proto.RowKey.newBuilder()
            .setTenant(key.tenant())
            .setId(key.id())
            .build();
    var digestRequest = ReadRowsRequest.newBuilder().addKeys(keyProto).setDigestOnly(true).build();
    var digests = new ArrayList<CompletableFuture<ReadRowsReply>>();
    for (String h : contacted.subList(1, contacted.size())) {
      digests.add(calls.readRows(h, digestRequest));
    }
    var data =
        calls.readRows(contacted.get(0), ReadRowsRequest.newBuilder().addKeys(keyProto).build());
    try {
      Optional<Row> row = rowOf(Replies.await(data, timeout));
      var expected = StoredRows.digest(key, row);
      for (var d : digests) {
        if (!Replies.await(d, timeout).getDigests(0).equals(expected)) {
          return null;
        }
      }
      return row;
    } catch (IOException | RuntimeException e) {
      logger.debug("read of {} fell back to a full read: {}", key, e.toString());
      return null;
    }
  }

  private Optional<Row> fullReadAndRepair(
      RowKey key, List<String> alive, int required, boolean blocking) throws IOException {
    var keyProto =
        io.allidb.dataplane.cluster.proto.RowKey.newBuilder()
            .setTenant(key.tenant())
            .setId(key.id())
            .build();
    var request = ReadRowsRequest.newBuilder().addKeys(keyProto).build();
    var futures = new LinkedHashMap<String, CompletableFuture<ReadRowsReply>>();
    for (String h : alive) {
      futures.put(h, calls.readRows(h, request));
    }
    var answers = new LinkedHashMap<String, Optional<Row>>();
    var failures = new LinkedHashMap<String, String>();
    for (var e : futures.entrySet()) {
      try {
        answers.put(e.getKey(), rowOf(Replies.await(e.getValue(), timeout)));
      } catch (IOException | RuntimeException ex) {
        failures.put(e.getKey(), Status.fromThrowable(ex).toString());
      }
    }
    if (answers.size() < required) {
      throw Status.UNAVAILABLE
          .withDescription(
              "read of "
                  + key
                  + " got "
                  + answers.size()
                  + " of "
                  + required
                  + " required replica answers; failed: "
                  + failures)
          .asRuntimeException();
    }
    Optional<Row> winner = Optional.empty();
    for (Optional<Row> r : answers.values()) {
      if (r.isPresent()) {
        winner = winner.isEmpty() ? r : Optional.of(LastWriteWins.resolve(winner.get(), r.get()));
      }
    }
    if (winner.isPresent()) {
      repair(key, winner.get(), answers, blocking);
    }
    return winner;
  }

  private void repair(RowKey key, Row winner, Map<String, Optional<Row>> answers, boolean wait)
      throws IOException {
    var request =
        ApplyRowsRequest.newBuilder()
            .setFromHostId(calls.localHostId())
            .setRingEpoch(view.ring().epoch())
            .addRows(StoredRows.toProto(winner))
            .build();
    var repairs = new ArrayList<CompletableFuture<?>>();
    for (var e : answers.entrySet()) {
      if (!e.getValue().equals(Optional.of(winner))) {
        logger.debug("read repair of {} on {}", key, e.getKey());
        repairs.add(calls.applyRows(e.getKey(), request));
      }
    }
    if (wait) {
      for (var f : repairs) {
        Replies.await(f, timeout);
      }
    }
  }

  private void repairQuietly(RowKey key, List<String> alive, int required) {
    try {
      fullReadAndRepair(key, alive, required, false);
    } catch (IOException | RuntimeException e) {
      logger.debug("background read repair of {} failed: {}", key, e.toString());
    }
  }

  private static Optional<Row> rowOf(ReadRowsReply reply) {
    return reply.getRowsCount() == 0
        ? Optional.empty()
        : Optional.of(StoredRows.fromProto(reply.getRows(0)));
  }
}
