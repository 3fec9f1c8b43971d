package io.allidb.dataplane.cluster.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.allidb.dataplane.cluster.LocalCluster;
import io.allidb.dataplane.cluster.proto.StreamRowsReply;
import io.allidb.dataplane.cluster.proto.StreamRowsRequest;
import io.allidb.dataplane.cluster.replica.StoredRows;
import io.allidb.dataplane.cluster.ring.TokenRange;
import io.allidb.dataplane.storage.EntityCodec;
import io.allidb.dataplane.storage.row.Row;
import io.allidb.dataplane.storage.row.RowKey;
import io.allidb.dataplane.testing.Entities;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Range streaming between real nodes (loopback gRPC): every row of the streamed ranges arrives as
 * stored (tombstones included), an interrupted stream resumes from its persisted position instead
 * of from the start, and a damaged chunk is refused.
 */
class RangeStreamerIT {
  private static final long T = 1_764_000_000_000_000L;
  @TempDir Path dir;

  @Test
  void streamsEveryRowAndResumesWhereItStopped() throws Exception {
    try (var cluster = LocalCluster.start(dir.resolve("c"), 3, 1, b -> b)) {
      var rows = new ArrayList<Row>();
      for (int i = 0; i < 5000; i++) {
        var key = RowKey.of(LocalCluster.TENANT, "s" + i);
        rows.add(
            i % 10 == 0
                ? Row.tombstone(key, T + i)
                : Row.live(key, T + i, EntityCodec.encode(Entities.doc("s" + i, "text " + i))));
      }
      cluster.store(0).apply(rows.subList(0, 2500));
      cluster.store(0).storage().flush();
      cluster.store(0).apply(rows.subList(2500, rows.size()));

      // n3 drives a transfer of the whole ring from n1 to n2, cancelled after two pages
      var calls = cluster.server(2).replicaCalls();
      Path state = dir.resolve("stream-test.state");
      var first = new RangeStreamer(calls, state, "test", Clock.systemUTC());
      first.plan(List.of(new RangeStreamer.Transfer(TokenRange.fullRing(), "n1", "n2")), List.of());
      var pages = new AtomicInteger();
      first.run(() -> pages.incrementAndGet() > 3); // checked once per range, then per page
      long movedBefore = first.state().getRanges(0).getRows();
      assertThat(movedBefore).isEqualTo(2000); // two pages of 1000
      assertThat(first.state().getCompleted()).isFalse();

      var resumed = new RangeStreamer(calls, state, "test", Clock.systemUTC());
      assertThat(resumed.resuming()).isTrue();
      resumed.run(() -> false);
      assertThat(resumed.state().getCompleted()).isTrue();
      // every row moved exactly once across the two runs: the resume started after row 2000
      assertThat(resumed.state().getRanges(0).getRows()).isEqualTo(rows.size());
      for (Row r : rows) {
        assertThat(cluster.store(1).storage().getRow(r.key())).contains(r);
      }
      var progress = resumed.progress(StreamProgress.Phase.COMPLETED, "");
      assertThat(progress.rangesDone()).isEqualTo(1);
      assertThat(progress.bytesStreamed()).isPositive();
    }
  }

  @Test
  void aDamagedChunkIsRefused() throws Exception {
    try (var cluster = LocalCluster.start(dir.resolve("d"), 1, 1, b -> b)) {
      cluster
          .store(0)
          .apply(
              List.of(
                  Row.live(
                      RowKey.of(LocalCluster.TENANT, "x"),
                      T,
                      EntityCodec.encode(Entities.doc("x", "t")))));
      StreamRowsReply page =
          cluster
              .server(0)
              .replicaCalls()
              .streamRows(
                  "n1",
                  StreamRowsRequest.newBuilder()
                      .addAllRanges(StoredRows.toProtoRanges(List.of(TokenRange.fullRing())))
                      .build())
              .get(10, TimeUnit.SECONDS);
      assertThat(RowChunks.verify("n1", page)).hasSize(1);
      var damaged =
          page.toBuilder()
              .setRows(0, page.getRows(0).toBuilder().setTimestampMicros(T + 1))
              .build();
      assertThatThrownBy(() -> RowChunks.verify("n1", damaged))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("failed its checksum");
    }
  }
}
