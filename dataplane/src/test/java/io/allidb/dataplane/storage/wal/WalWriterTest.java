package io.allidb.dataplane.storage.wal;

import static io.allidb.dataplane.storage.wal.WalTestSupport.batch;
import static io.allidb.dataplane.storage.wal.WalTestSupport.options;
import static io.allidb.dataplane.storage.wal.WalTestSupport.replayAll;
import static io.allidb.dataplane.storage.wal.WalTestSupport.row;
import static io.allidb.dataplane.storage.wal.WalTestSupport.segmentFiles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.allidb.dataplane.storage.io.FaultInjectingFileIo;
import io.allidb.dataplane.storage.io.FileIo;
import io.allidb.dataplane.storage.row.Row;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class WalWriterTest {
  @TempDir Path dir;

  /** Runs {@code task(thread)} on {@code threads} threads started together; rethrows failures. */
  private static void runConcurrently(int threads, ThrowingTask task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      var start = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  task.run(thread);
                  return null;
                }));
      }
      start.countDown();
      for (var f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @FunctionalInterface
  private interface ThrowingTask {
    void run(int thread) throws Exception;
  }

  @Test
  void concurrentSyncAppendsReplayEveryAcknowledgedBatchExactlyOnceAndWhole() throws Exception {
    long seed = WalTestSupport.seed("concurrentSyncAppends");
    var acked = new ConcurrentLinkedQueue<List<Row>>();
    try (var wal = WalWriter.open(dir, options(DurabilityMode.SYNC).withSegmentBytes(64 << 10))) {
      runConcurrently(
          16,
          thread -> {
            var rnd = new Random(seed + thread);
            for (int i = 0; i < 150; i++) {
              List<Row> b = batch(rnd, "t" + thread + "-" + i, 5, 200);
              wal.awaitDurable(wal.append(b));
              acked.add(b);
            }
          });
    }
    List<List<Row>> replayed = replayAll(dir);
    assertThat(replayed).hasSize(16 * 150).containsExactlyInAnyOrderElementsOf(acked);
    // Each thread appended sequentially, so its batches must come back in its own order.
    Map<String, Integer> lastIndexByThread = new HashMap<>();
    for (List<Row> b : replayed) {
      String[] parts = b.get(0).key().id().split("-");
      int index = Integer.parseInt(parts[1]);
      Integer previous = lastIndexByThread.put(parts[0], index);
      assertThat(index).isEqualTo(previous == null ? 0 : previous + 1);
    }
  }

  @Test
  void groupCommitMakesOneFsyncCoverManyRows() throws Exception {
    var syncedRows = new AtomicLong();
    var syncs = new AtomicInteger();
    var listener =
        new WalListener() {
          @Override
          public void synced(int records, int rows, long bytes, long nanos) {
            syncs.incrementAndGet();
            syncedRows.addAndGet(rows);
          }
        };
    try (var wal = WalWriter.open(dir, options(DurabilityMode.SYNC).withListener(listener))) {
      runConcurrently(
          32,
          thread -> {
            for (int i = 0; i < 100; i++) {
              wal.awaitDurable(wal.append(List.of(row(thread + "-" + i, 1 + i, new byte[16]))));
            }
          });
      WalStats stats = wal.stats();
      assertThat(stats.rows()).isEqualTo(3200);
      assertThat(stats.records()).isEqualTo(3200);
      assertThat(stats.rowsSynced()).isEqualTo(3200);
      assertThat((double) stats.rowsSynced() / stats.fsyncs()).isGreaterThan(1.0);
      assertThat(syncedRows.get()).isEqualTo(3200);
      assertThat(syncs.get()).isEqualTo((int) stats.fsyncs());
    }
    assertThat(replayAll(dir)).hasSize(3200);
  }

  @ParameterizedTest
  @EnumSource(DurabilityMode.class)
  void everyAppendedBatchIsReplayedAfterCloseInEveryMode(DurabilityMode mode) throws Exception {
    var rnd = new Random(WalTestSupport.seed("everyMode-" + mode));
    List<List<Row>> appended = new ArrayList<>();
    try (var wal = WalWriter.open(dir, options(mode))) {
      for (int i = 0; i < 500; i++) {
        List<Row> b = batch(rnd, "b" + i, 4, 300);
        wal.append(b);
        appended.add(b);
      }
    }
    assertThat(replayAll(dir)).containsExactlyElementsOf(appended);
  }

  @Test
  void periodicModeWritesInTheBackgroundWithoutClose() throws Exception {
    try (var wal = WalWriter.open(dir, options(DurabilityMode.PERIODIC))) {
      wal.append(List.of(row("a", 1, new byte[10])));
      Path segment = segmentFiles(dir).get(0);
      // Written and fsynced by the sync thread on its own, without close or rotate.
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> wal.stats().fsyncs() >= 1 && Files.size(segment) > WalFormat.HEADER_BYTES);
      assertThat(wal.stats().rowsSynced()).isEqualTo(1);
    }
  }

  @Test
  void smallSegmentsRotateAtGroupBoundariesAndReplayInOrder() throws Exception {
    var rnd = new Random(WalTestSupport.seed("smallSegments"));
    List<List<Row>> appended = new ArrayList<>();
    try (var wal = WalWriter.open(dir, options(DurabilityMode.SYNC).withSegmentBytes(4096))) {
      for (int i = 0; i < 300; i++) {
        List<Row> b = batch(rnd, "r" + i, 3, 60);
        wal.awaitDurable(wal.append(b));
        appended.add(b);
      }
      assertThat(wal.currentSegmentSeq()).isGreaterThan(4);
    }
    List<Path> files = segmentFiles(dir);
    assertThat(files.size()).isGreaterThan(4);
    for (Path f : files) {
      // One record per group here, so no segment overshoots.
      assertThat(Files.size(f)).isLessThanOrEqualTo(4096);
    }
    assertThat(replayAll(dir)).containsExactlyElementsOf(appended);
  }

  @Test
  void rotateMakesEarlierRecordsDurableAndSendsLaterOnesToTheNewSegment() throws Exception {
    List<Row> before = List.of(row("before", 1, new byte[] {1}));
    List<Row> after = List.of(row("after", 2, new byte[] {2}));
    try (var wal = WalWriter.open(dir, options(DurabilityMode.NONE))) {
      wal.append(before);
      long next = wal.rotate();
      assertThat(next).isEqualTo(2).isEqualTo(wal.currentSegmentSeq());
      // Written before rotate returned, even in NONE mode where nothing else forces a write.
      assertThat(Files.size(dir.resolve(WalFormat.fileName(1))))
          .isEqualTo(
              WalFormat.HEADER_BYTES
                  + WalFormat.SECTION_HEADER_BYTES
                  + WalFormat.encodeBatch(before).length);
      wal.append(after);
    }
    List<List<Row>> fromSecond = new ArrayList<>();
    WalReplayer.replay(dir, 2, FileIo.real(), false, fromSecond::add);
    assertThat(fromSecond).containsExactly(after);
    assertThat(replayAll(dir)).containsExactly(before, after);
  }

  @Test
  void deleteSegmentsBeforeRemovesOnlyOlderSegmentsAndNeverTheCurrentOne() throws Exception {
    try (var wal = WalWriter.open(dir, options(DurabilityMode.SYNC))) {
      for (int i = 0; i < 3; i++) {
        wal.append(List.of(row("k" + i, 1 + i, new byte[8])));
        wal.rotate();
      }
      assertThat(wal.currentSegmentSeq()).isEqualTo(4);
      Files.writeString(dir.resolve("unrelated.txt"), "keep me");
      wal.deleteSegmentsBefore(3);
      assertThat(segmentFiles(dir))
          .extracting(p -> p.getFileName().toString())
          .containsExactly(WalFormat.fileName(3), WalFormat.fileName(4));
      wal.deleteSegmentsBefore(Long.MAX_VALUE);
      assertThat(segmentFiles(dir))
          .extracting(p -> p.getFileName().toString())
          .containsExactly(WalFormat.fileName(4));
      assertThat(dir.resolve("unrelated.txt")).exists();
    }
  }

  @Test
  void openStartsANewSegmentAboveEveryExistingOneAndAboveFirstSegmentSeq() throws Exception {
    try (var wal = WalWriter.open(dir, options(DurabilityMode.SYNC))) {
      assertThat(wal.currentSegmentSeq()).isEqualTo(1);
      wal.append(List.of(row("one", 1, new byte[1])));
    }
    try (var wal = WalWriter.open(dir, options(DurabilityMode.SYNC))) {
      assertThat(wal.currentSegmentSeq()).isEqualTo(2);
      wal.append(List.of(row("two", 2, new byte[1])));
    }
    try (var wal = WalWriter.open(dir, options(DurabilityMode.SYNC).withFirstSegmentSeq(10))) {
      assertThat(wal.currentSegmentSeq()).isEqualTo(10);
      wal.append(List.of(row("ten", 3, new byte[1])));
    }
    assertThat(replayAll(dir))
        .extracting(b -> b.get(0).key().id())
        .containsExactly("one", "two", "ten");
  }

  @Test
  void diskFullFailsTheGroupsWaitersAndWritesSucceedAgainAfterHeal() throws Exception {
    var io = new FaultInjectingFileIo();
    var failures = new CopyOnWriteArrayList<IOException>();
    var listener =
        new WalListener() {
          @Override
          public void failed(IOException e) {
            failures.add(e);
          }
        };
    List<List<Row>> acked = Collections.synchronizedList(new ArrayList<>());
    var rnd = new Random(WalTestSupport.seed("diskFull"));
    try (var wal =
        WalWriter.open(dir, options(DurabilityMode.SYNC).withIo(io).withListener(listener))) {
      for (int i = 0; i < 20; i++) {
        List<Row> b = batch(rnd, "ok" + i, 3, 100);
        wal.awaitDurable(wal.append(b));
        acked.add(b);
      }
      // The disk fills up in the middle of the next group: a short write, then ENOSPC.
      io.failWritesAfterBytes(37);
      List<Row> lost = List.of(row("lost", 7, new byte[500]));
      long lostLsn = wal.append(lost);
      assertThatThrownBy(() -> wal.awaitDurable(lostLsn))
          .isInstanceOf(IOException.class)
          .hasStackTraceContaining("No space left on device");
      // Still full: concurrent writers all get the error, none is acknowledged.
      runConcurrently(
          8,
          thread -> {
            long lsn = wal.append(List.of(row("full" + thread, 5, new byte[64])));
            assertThatThrownBy(() -> wal.awaitDurable(lsn)).isInstanceOf(IOException.class);
          });
      // A late waiter of a failed group must not be told it is durable.
      assertThatThrownBy(() -> wal.awaitDurable(lostLsn)).isInstanceOf(IOException.class);
      assertThat(failures).isNotEmpty();

      io.heal();
      for (int i = 0; i < 20; i++) {
        List<Row> b = batch(rnd, "healed" + i, 3, 100);
        wal.awaitDurable(wal.append(b));
        acked.add(b);
      }
    }
    List<List<Row>> damageFree = new ArrayList<>();
    ReplayResult result = WalReplayer.replay(dir, 1, FileIo.real(), false, damageFree::add);
    assertThat(result.damage()).isEmpty();
    assertThat(damageFree).containsExactlyElementsOf(acked);
  }

  @Test
  void failedFsyncFailsTheGroupAndItsRecordsAreNotReplayed() throws Exception {
    var io = new FaultInjectingFileIo();
    List<Row> kept = List.of(row("kept", 1, new byte[] {1}));
    List<Row> failed = List.of(row("failed", 2, new byte[] {2}));
    List<Row> later = List.of(row("later", 3, new byte[] {3}));
    try (var wal = WalWriter.open(dir, options(DurabilityMode.SYNC).withIo(io))) {
      wal.awaitDurable(wal.append(kept));
      io.failNextForce();
      long lsn = wal.append(failed);
      assertThatThrownBy(() -> wal.awaitDurable(lsn))
          .isInstanceOf(IOException.class)
          .hasStackTraceContaining("injected fsync failure");
      wal.awaitDurable(wal.append(later));
    }
    assertThat(replayAll(dir)).containsExactly(kept, later);
  }

  @Test
  void walFailsForGoodWhenTruncationAfterAFailedWriteFails() throws Exception {
    var io = new FaultInjectingFileIo();
    var wal = WalWriter.open(dir, options(DurabilityMode.SYNC).withIo(io));
    try {
      wal.awaitDurable(wal.append(List.of(row("a", 1, new byte[4]))));
      io.failWritesAfterBytes(5).failNextTruncate();
      long lsn = wal.append(List.of(row("b", 2, new byte[40])));
      assertThatThrownBy(() -> wal.awaitDurable(lsn)).isInstanceOf(IOException.class);
      io.heal();
      assertThatThrownBy(() -> wal.append(List.of(row("c", 3, new byte[4]))))
          .isInstanceOf(IOException.class)
          .hasMessageStartingWith("WAL failed: ");
      assertThatThrownBy(() -> wal.awaitDurable(lsn)).isInstanceOf(IOException.class);
    } finally {
      assertThatThrownBy(wal::close).isInstanceOf(IOException.class);
    }
    // The torn bytes stay behind; as the log's tail, replay cuts them off.
    List<List<Row>> replayed = new ArrayList<>();
    ReplayResult result = WalReplayer.replay(dir, 1, FileIo.real(), false, replayed::add);
    assertThat(replayed).containsExactly(List.of(row("a", 1, new byte[4])));
    assertThat(result.damage()).singleElement().matches(WalDamage::truncated);
  }

  @Test
  void appendAndRotateAfterCloseThrowIllegalState() throws Exception {
    var wal = WalWriter.open(dir, options(DurabilityMode.SYNC));
    wal.close();
    wal.close(); // idempotent
    assertThatThrownBy(() -> wal.append(List.of(row("x", 1, new byte[1]))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("WAL closed");
    assertThatThrownBy(wal::rotate).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void oversizedOrEmptyBatchIsRejectedWithoutTouchingTheLog() throws Exception {
    byte[] mib = new byte[1 << 20]; // shared by every row: no need for 65 MiB of heap
    List<Row> huge = new ArrayList<>();
    for (int i = 0; i < 65; i++) {
      huge.add(row("h" + i, 1, mib));
    }
    try (var wal = WalWriter.open(dir, options(DurabilityMode.SYNC))) {
      assertThatThrownBy(() -> wal.append(huge))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("bytes exceeds the maximum record size of " + (64 << 20));
      assertThatThrownBy(() -> wal.append(List.of())).isInstanceOf(IllegalArgumentException.class);
      wal.awaitDurable(wal.append(List.of(row("small", 1, new byte[1]))));
    }
    assertThat(replayAll(dir)).hasSize(1);
  }

  @Test
  void optionsRejectBadValuesNamingThem() {
    var ok = options(DurabilityMode.SYNC);
    assertThatThrownBy(() -> ok.withSegmentBytes(100)).hasMessageContaining("segmentBytes");
    assertThatThrownBy(() -> ok.withFirstSegmentSeq(0)).hasMessageContaining("firstSegmentSeq");
    assertThatThrownBy(() -> ok.withGroupCommitWindow(Duration.ofMillis(-1)))
        .hasMessageContaining("groupCommitWindow");
    assertThatThrownBy(
            () ->
                new WalOptions(
                    DurabilityMode.PERIODIC,
                    Duration.ZERO,
                    Duration.ZERO,
                    4096,
                    1,
                    FileIo.real(),
                    WalListener.NONE))
        .hasMessageContaining("periodicInterval");
    assertThatThrownBy(() -> ok.withBufferLimit(1000, Duration.ofSeconds(1)))
        .hasMessageContaining("maxBufferedBytes");
    assertThatThrownBy(() -> ok.withBufferLimit(1 << 20, Duration.ZERO))
        .hasMessageContaining("bufferFullTimeout");
    assertThat(ok.maxBufferedBytes()).isEqualTo(WalOptions.DEFAULT_MAX_BUFFERED_BYTES);
  }

  @ParameterizedTest
  @EnumSource(
      value = DurabilityMode.class,
      names = {"PERIODIC", "NONE"})
  void appendsBlockAtTheBufferCapThenFailNamingItAndResumeOnceTheDiskCatchesUp(DurabilityMode mode)
      throws Exception {
    var io = new FaultInjectingFileIo();
    long cap = WalOptions.MIN_BUFFERED_BYTES;
    var rnd = new Random(WalTestSupport.seed("bufferCap-" + mode));
    List<List<Row>> acked = new ArrayList<>();
    var wal =
        WalWriter.open(dir, options(mode).withIo(io).withBufferLimit(cap, Duration.ofMillis(300)));
    try {
      // The disk stops completing fsyncs (PERIODIC) or writes (NONE, which never fsyncs): nothing
      // more leaves the buffer.
      List<Row> first = List.of(row("first", 1, new byte[10]));
      wal.append(first);
      acked.add(first);
      if (mode == DurabilityMode.NONE) {
        io.blockWrites();
      } else {
        io.blockForces();
      }
      ExecutorService background = Executors.newFixedThreadPool(2);
      try {
        IOException full = null;
        for (int i = 0; i < 10_000 && full == null; i++) {
          List<Row> b = List.of(row("c" + i, 1 + i, new byte[200 + rnd.nextInt(800)]));
          try {
            wal.append(b);
            acked.add(b);
          } catch (IOException e) {
            full = e;
          }
        }
        assertThat(full)
            .as("an append eventually fails instead of growing the buffer")
            .isNotNull()
            .hasMessageContaining("maxBufferedBytes")
            .hasMessageContaining(Long.toString(cap));
        assertThat(acked.size())
            .as("the cap, not the loop, stopped the appends")
            .isLessThan(10_000);

        // A blocked appender proceeds as soon as the disk catches up.
        List<Row> late = List.of(row("late", 1, new byte[900]));
        Future<Long> blocked = background.submit(() -> wal.append(late));
        Thread.sleep(50);
        io.unblockWrites().unblockForces();
        blocked.get();
        acked.add(late);
      } finally {
        background.shutdown();
      }
    } finally {
      io.unblockForces();
      wal.close();
    }
    assertThat(replayAll(dir)).containsExactlyElementsOf(acked);
  }
}
