package io.allidb.dataplane.cluster.repair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.allidb.api.admin.NodeAdminGrpc;
import io.allidb.api.admin.NodeInfoRequest;
import io.allidb.api.admin.RepairHistoryRequest;
import io.allidb.api.admin.RepairReport;
import io.allidb.api.admin.RepairStatusRequest;
import io.allidb.api.admin.RingViewRequest;
import io.allidb.api.admin.StartRepairRequest;
import io.allidb.dataplane.cluster.LocalCluster;
import io.allidb.dataplane.server.ApiKeyAuthInterceptor;
import io.allidb.dataplane.storage.EntityCodec;
import io.allidb.dataplane.storage.row.Row;
import io.allidb.dataplane.storage.row.RowKey;
import io.allidb.dataplane.testing.Entities;
import io.allidb.dataplane.testing.Seeds;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Anti-entropy on three real nodes (RF 3, loopback gRPC): replicas are made to diverge behind the
 * coordinator's back (rows only on some, older versions, tombstones newer than live rows, some in
 * SSTables and some in memtables), a repair started through the admin API makes every replica hold
 * the last-write-wins winner of every key, row by row, and a second repair moves nothing.
 */
class RepairIT {
  private static final long T = 1_764_000_000_000_000L;
  @TempDir Path dir;

  private static Row live(String id, long ts, String text) {
    return Row.live(
        RowKey.of(LocalCluster.TENANT, id), ts, EntityCodec.encode(Entities.doc(id, text)));
  }

  @Test
  void repairMakesDivergedReplicasIdenticalAndASecondRunMovesNothing() throws Exception {
    long seed = Seeds.seed("RepairIT");
    var rnd = new Random(seed);
    try (var cluster = LocalCluster.start(dir, 3, 3, b -> b)) {
      var keys = new ArrayList<RowKey>();
      var perNode = List.of(new ArrayList<Row>(), new ArrayList<Row>(), new ArrayList<Row>());
      for (int i = 0; i < 600; i++) {
        String id = "e" + i;
        keys.add(RowKey.of(LocalCluster.TENANT, id));
        Row base = live(id, T + i, "v1 of " + id);
        for (int n = 0; n < 3; n++) {
          switch (rnd.nextInt(6)) {
            case 0 -> {} // this replica never got the row
            case 1 -> perNode.get(n).add(live(id, T + i + 1_000_000, "v2 of " + id + " on n" + n));
            case 2 -> perNode.get(n).add(Row.tombstone(base.key(), T + i + 2_000_000));
            default -> perNode.get(n).add(base);
          }
        }
      }
      for (int n = 0; n < 3; n++) {
        var rows = perNode.get(n);
        cluster.store(n).apply(rows.subList(0, rows.size() / 2));
        cluster.store(n).storage().flush(); // half in SSTables, half in the memtable
        cluster.store(n).apply(rows.subList(rows.size() / 2, rows.size()));
      }
      assertThat(differingKeys(cluster, keys)).as("seed %d: replicas diverged", seed).isPositive();

      RepairReport first = runRepair(cluster.admin(1), 0.8);
      assertThat(first.getState()).as(first.getMessage()).isEqualTo(RepairReport.State.COMPLETED);
      assertThat(first.getRowsRepaired()).isPositive();
      assertThat(first.getLeavesDiffering()).isPositive();
      assertThat(differingKeys(cluster, keys)).as("seed %d: keys still differing", seed).isZero();
      for (RowKey k : keys) {
        Optional<Row> expected = winner(perNode, k);
        for (int n = 0; n < 3; n++) {
          assertThat(cluster.store(n).storage().getRow(k))
              .as("%s on n%d", k, n + 1)
              .isEqualTo(expected);
        }
      }

      RepairReport second = runRepair(cluster.admin(2), 1.0);
      assertThat(second.getState()).isEqualTo(RepairReport.State.COMPLETED);
      assertThat(second.getLeavesDiffering()).isZero();
      assertThat(second.getRowsRepaired()).isZero();

      var history = cluster.admin(1).repairHistory(RepairHistoryRequest.getDefaultInstance());
      assertThat(history.getRangesCount()).isEqualTo(first.getRangesTotal());
      assertThat(history.getRanges(0).getLastRepairedMillis()).isPositive();
      assertThat(history.getRecent(0).getRepairId()).isEqualTo(first.getRepairId());
      // the history survives a restart (repair-history.state)
      cluster.stop(1);
      cluster.restart(1);
      assertThat(
              cluster
                  .admin(1)
                  .repairHistory(RepairHistoryRequest.getDefaultInstance())
                  .getRangesCount())
          .isEqualTo(first.getRangesTotal());
    }
  }

  @Test
  void adminApiNeedsAnAdminKeyAndReportsTheRing() throws Exception {
    try (var cluster = LocalCluster.start(dir, 3, 3, b -> b)) {
      var info = cluster.admin(0).nodeInfo(NodeInfoRequest.getDefaultInstance());
      assertThat(info.getHostId()).isEqualTo("n1");
      assertThat(info.getTokensCount()).isEqualTo(8);
      var ring = cluster.admin(0).ringView(RingViewRequest.getDefaultInstance());
      assertThat(ring.getMembersList())
          .extracting(m -> m.getHostId())
          .containsExactly("n1", "n2", "n3");
      assertThat(ring.getMembersList().stream().mapToDouble(m -> m.getOwnership()).sum())
          .isCloseTo(3.0, org.assertj.core.data.Offset.offset(1e-9));

      var channel =
          NettyChannelBuilder.forAddress("127.0.0.1", cluster.server(0).port())
              .usePlaintext()
              .build();
      try {
        var md = new Metadata();
        md.put(ApiKeyAuthInterceptor.API_KEY, LocalCluster.KEY); // a data key
        var dataKey =
            NodeAdminGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
        assertThatThrownBy(() -> dataKey.nodeInfo(NodeInfoRequest.getDefaultInstance()))
            .isInstanceOfSatisfying(
                StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
        var noKey = NodeAdminGrpc.newBlockingStub(channel);
        assertThatThrownBy(() -> noKey.nodeInfo(NodeInfoRequest.getDefaultInstance()))
            .isInstanceOfSatisfying(
                StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
      } finally {
        channel.shutdownNow();
      }
      // a static ring refuses ring changes, saying why
      assertThatThrownBy(
              () ->
                  cluster
                      .admin(0)
                      .decommission(io.allidb.api.admin.DecommissionRequest.getDefaultInstance()))
          .hasMessageContaining("FAILED_PRECONDITION")
          .hasMessageContaining("static ring");
    }
  }

  private static RepairReport runRepair(
      NodeAdminGrpc.NodeAdminBlockingStub admin, double intensity) {
    RepairReport started =
        admin.startRepair(
            StartRepairRequest.newBuilder().setIntensity(intensity).setDepth(8).build());
    assertThat(started.getState()).isEqualTo(RepairReport.State.RUNNING);
    var id = RepairStatusRequest.newBuilder().setRepairId(started.getRepairId()).build();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> admin.repairStatus(id).getState() != RepairReport.State.RUNNING);
    return admin.repairStatus(id);
  }

  private static Optional<Row> winner(List<? extends List<Row>> perNode, RowKey k) {
    Optional<Row> best = Optional.empty();
    for (var rows : perNode) {
      for (Row r : rows) {
        if (r.key().equals(k)
            && (best.isEmpty()
                || io.allidb.dataplane.storage.row.LastWriteWins.compare(r, best.get()) > 0)) {
          best = Optional.of(r);
        }
      }
    }
    return best;
  }

  private static int differingKeys(LocalCluster cluster, List<RowKey> keys) throws Exception {
    int differing = 0;
    for (RowKey k : keys) {
      var a = cluster.store(0).storage().getRow(k);
      if (!a.equals(cluster.store(1).storage().getRow(k))
          || !a.equals(cluster.store(2).storage().getRow(k))) {
        differing++;
      }
    }
    return differing;
  }
}
