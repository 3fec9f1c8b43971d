package io.allidb.dataplane.server;

import io.allidb.dataplane.admin.DrainGuards;
import io.allidb.dataplane.admin.DrainState;
import io.allidb.dataplane.cluster.ClusterView;
import io.allidb.dataplane.cluster.coordinator.ClusterQueryExecutor;
import io.allidb.dataplane.cluster.coordinator.Coordinator;
import io.allidb.dataplane.cluster.coordinator.ReadCoordinator;
import io.allidb.dataplane.cluster.coordinator.ReplicaCalls;
import io.allidb.dataplane.cluster.coordinator.ScanCoordinator;
import io.allidb.dataplane.cluster.coordinator.WriteCoordinator;
import io.allidb.dataplane.cluster.hints.HintReplayer;
import io.allidb.dataplane.cluster.hints.HintStore;
import io.allidb.dataplane.cluster.proto.DeliverHintsRequest;
import io.allidb.dataplane.cluster.repair.RepairService;
import io.allidb.dataplane.cluster.replica.LocalReplica;
import io.allidb.dataplane.cluster.replica.StoredRows;
import io.allidb.dataplane.cluster.streaming.RingChanges;
import io.allidb.dataplane.cluster.transport.ReplicaHandler;
import io.allidb.dataplane.node.EntityStore;
import io.allidb.dataplane.query.QueryExecutor;
import java.io.IOException;
import java.time.Clock;

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
  final ReplicaCalls calls;
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
      ReplicaCalls calls,
      DrainState drain,
      RepairService repairs,
      RingChanges ringChanges) {
    this.runtime = runtime;
    this.replica = replica;
    this.hints = hints;
    this.replayer = replayer;
    this.coordinator = coordinator;
    this.queries = queries;
    this.calls = calls;
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
    RepairService repairs = null;
    try {
      runtime.start(replica);
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
              new ReadCoordinator(view, calls, o.readTimeout(), o.readRepairChance()),
              new ScanCoordinator(view, calls, o.readTimeout(), clock),
              o.defaultConsistency());
      var queries =
          new ClusterQueryExecutor(
              view, calls, local, coordinator, config.query(), o.readTimeout(), clock);
      repairs = new RepairService(view, calls, config.dataDir().resolve("ring"), clock);
      RingChanges ringChanges = RingChanges.unsupported();
      return new ClusterNode(
          runtime,
          replica,
          hints,
          replayer,
          coordinator,
          queries,
          calls,
          drain,
          repairs,
          ringChanges);
    } catch (IOException | RuntimeException e) {
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

  /** Stops hint replay, seals the hint files, then stops the internode side. */
  @Override
  public void close() throws IOException {
    repairs.close();
    try {
      replayer.close();
      hints.close();
    } finally {
      runtime.close();
    }
  }
}
