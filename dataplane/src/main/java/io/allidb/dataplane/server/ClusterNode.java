package io.allidb.dataplane.server;

import io.allidb.dataplane.admin.DrainGuards;
import io.allidb.dataplane.admin.DrainState;
import io.allidb.dataplane.cluster.ClusterView;
import io.allidb.dataplane.cluster.coordinator.ClusterQueryExecutor;
import io.allidb.dataplane.cluster.coordinator.ClusterTextSearch;
import io.allidb.dataplane.cluster.coordinator.Coordinator;
import io.allidb.dataplane.cluster.coordinator.ReadCoordinator;
import io.allidb.dataplane.cluster.coordinator.ReplicaCalls;
import io.allidb.dataplane.cluster.coordinator.ScanCoordinator;
import io.allidb.dataplane.cluster.coordinator.WriteCoordinator;
import io.allidb.dataplane.cluster.gossip.GossipClusterView;
import io.allidb.dataplane.cluster.gossip.Gossiper;
import io.allidb.dataplane.cluster.hints.HintReplayer;
import io.allidb.dataplane.cluster.hints.HintStore;
import io.allidb.dataplane.cluster.proto.DeliverHintsRequest;
import io.allidb.dataplane.cluster.repair.RepairService;
import io.allidb.dataplane.cluster.replica.LocalReplica;
import io.allidb.dataplane.cluster.replica.StoredRows;
import io.allidb.dataplane.cluster.streaming.GossipRingChanges;
import io.allidb.dataplane.cluster.streaming.RingChanges;
import io.allidb.dataplane.cluster.transport.ReplicaHandler;
import io.allidb.dataplane.node.EntityStore;
import io.allidb.dataplane.query.QueryExecutor;
import java.io.IOException;
import java.time.Clock;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cluster side of one running node, assembled in dependency order: runtime (internode server,
 * membership) over the local replica, hint store and replayer, coordinator and cluster query
 * executor. {@link #close()} stops them in reverse. Not thread-safe to open or close; the parts it
 * hands out are.
 */
final class ClusterNode implements AutoCloseable {
  final ClusterRuntime runtime;
  final ReplicaHandler replica;
  final HintStore hints;
  final HintReplayer replayer;
  final Coordinator coordinator;
  final QueryExecutor queries;

  /** BM25 over the ring for the hybrid modes. */
  final ClusterTextSearch text;

  final ReplicaCalls calls;
  private final ExecutorService backgroundRepairs;
  final DrainState drain;
  final RepairService repairs;
  final RingChanges ringChanges;

  private ClusterNode(
      ClusterRuntime runtime,
      ReplicaHandler replica,
      HintStore hints,
      HintReplayer replayer,
      Coordinator coordinator,
      QueryExecutor queries,
      ClusterTextSearch text,
      ReplicaCalls calls,
      ExecutorService backgroundRepairs,
      DrainState drain,
      RepairService repairs,
      RingChanges ringChanges) {
    this.runtime = runtime;
    this.replica = replica;
    this.hints = hints;
    this.replayer = replayer;
    this.coordinator = coordinator;
    this.queries = queries;
    this.text = text;
    this.calls = calls;
    this.backgroundRepairs = backgroundRepairs;
    this.drain = drain;
    this.repairs = repairs;
    this.ringChanges = ringChanges;
  }

  /** Starts the cluster side over an open store; nothing is left running on failure. */
  static ClusterNode start(
      NodeConfig config, EntityStore store, QueryExecutor local, ClusterRuntime.Factory factory)
      throws IOException {
    ClusterOptions o = config.cluster();
    Clock clock = config.storage().clock();
    var drain = new DrainState();
    var replica = DrainGuards.replica(new LocalReplica(store), drain);
    ClusterRuntime runtime = factory.create(config);
    HintStore hints = null;
    ExecutorService backgroundRepairs = backgroundRepairs(config.hostId());
    RepairService repairs = null;
    try {
      runtime.start(
          replica,
          () -> {
            var stats = store.storage().stats();
            return stats.liveSSTableBytes() + stats.memtableBytes();
          });
      ClusterView view = runtime.view();
      var calls = new ReplicaCalls(view.localHostId(), replica, runtime.peers());
      hints = HintStore.open(o.hintsOr(config.dataDir()), clock, config.storage().metrics());
      var replayer =
          new HintReplayer(
                  hints,
                  view::isAlive,
                  (host, rows) ->
                      calls.deliverHints(
                          host,
                          DeliverHintsRequest.newBuilder()
                              .setFromHostId(view.localHostId())
                              .addAllRows(StoredRows.toProto(rows))
                              .build()))
              .start();
      var coordinator =
          new Coordinator(
              view,
              store,
              new WriteCoordinator(view, calls, hints, o.writeTimeout()),
              new ReadCoordinator(
                  view, calls, o.readTimeout(), o.readRepairChance(), backgroundRepairs),
              new ScanCoordinator(view, calls, o.readTimeout(), clock),
              o.defaultConsistency());
      var queries =
          new ClusterQueryExecutor(
              view, calls, local, coordinator, config.query(), o.readTimeout(), clock);
      repairs = new RepairService(view, calls, config.dataDir().resolve("ring"), clock);
      RingChanges ringChanges = ringChanges(runtime, calls, config, clock);
      return new ClusterNode(
          runtime,
          replica,
          hints,
          replayer,
          coordinator,
          queries,
          new ClusterTextSearch(view, calls, coordinator, o.readTimeout(), clock),
          calls,
          backgroundRepairs,
          drain,
          repairs,
          ringChanges);
    } catch (IOException | RuntimeException e) {
      backgroundRepairs.shutdownNow();
      if (repairs != null) {
        repairs.close();
      }
      if (hints != null) {
        hints.close();
      }
      runtime.close();
      throw e;
    }
  }

  /** Decommission for a gossiping node (resumed when it restarted LEAVING); refused otherwise. */
  private static RingChanges ringChanges(
      ClusterRuntime runtime, ReplicaCalls calls, NodeConfig config, Clock clock) {
    if (runtime.gossiper().isEmpty() || !(runtime.view() instanceof GossipClusterView view)) {
      return RingChanges.unsupported();
    }
    Gossiper gossiper = runtime.gossiper().get();
    // ten rounds: the LEAVING state reaches every node of a small cluster well within that
    var changes =
        new GossipRingChanges(
            gossiper, view, calls, config.dataDir(), gossiper.interval().multipliedBy(10), clock);
    changes.resumeIfLeaving();
    return changes;
  }

  /**
   * The pool of background read repairs (reads at ONE): two threads named {@code
   * read-repair-<host>-N} and a queue of 1024; beyond that repairs are skipped rather than queued
   * without bound or run on the common pool, where they would compete with unrelated work.
   */
  private static ExecutorService backgroundRepairs(String hostId) {
    var n = new AtomicInteger();
    var pool =
        new ThreadPoolExecutor(
            2,
            2,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(1024),
            r -> {
              Thread t = new Thread(r, "read-repair-" + hostId + "-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.AbortPolicy());
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /** Stops hint replay and background repairs, seals the hint files, then the internode side. */
  @Override
  public void close() throws IOException {
    ringChanges.close();
    backgroundRepairs.shutdownNow();
    repairs.close();
    try {
      replayer.close();
      hints.close();
    } finally {
      runtime.close();
    }
  }
}
