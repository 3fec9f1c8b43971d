package io.allidb.dataplane.cluster.hints;

import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.dataplane.storage.row.Row;
import io.allidb.dataplane.storage.row.RowKey;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hint files end to end without a network: durable across reopen, delivered and deleted once the
 * target is alive, torn tails tolerated, corruption reported with file and offset and set aside,
 * hints past the window dropped with a metric.
 */
class HintStoreTest {
  private static final long T0 = 1_800_000_000_000_000L;
  @TempDir Path dir;
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final List<Row> delivered = new ArrayList<>();

  private HintStore open(Clock clock) throws Exception {
    return HintStore.open(
        HintOptions.defaults(dir).withFsyncInterval(Duration.ZERO), clock, registry);
  }

  private HintReplayer replayer(HintStore store, AtomicBoolean alive, AtomicBoolean fail) {
    return new HintReplayer(
        store,
        h -> alive.get(),
        (host, rows) -> {
          if (fail.get()) {
            return CompletableFuture.failedFuture(new RuntimeException("refused"));
          }
          delivered.addAll(rows);
          return CompletableFuture.completedFuture(null);
        });
  }

  private static List<Row> rows(int from, int n) {
    var out = new ArrayList<Row>();
    for (int i = from; i < from + n; i++) {
      out.add(
          i % 5 == 0
              ? Row.tombstone(RowKey.of("t", "k" + i), T0 + i)
              : Row.live(RowKey.of("t", "k" + i), T0 + i, ("v" + i).getBytes()));
    }
    return out;
  }

  /**
   * FileChannel is interruptible: a thread interrupted during I/O on a hint file closes the channel
   * for everyone. Seen in RemoveNodeIT: close() interrupted the fsync thread mid-fsync and then
   * failed sealing with ClosedChannelException. The store must keep the rows that reached the file,
   * seal it durably, and go on hinting to that target in a new file.
   */
  @Test
  void aFileClosedByAnInterruptedThreadIsSealedAndHintingGoesOn() throws Exception {
    var store = open(Clock.systemUTC());
    store.add("n2", rows(0, 10));
    Thread.currentThread().interrupt();
    try {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.add("n2", rows(10, 5)))
          .isInstanceOf(java.nio.channels.ClosedByInterruptException.class);
    } finally {
      Thread.interrupted();
    }
    store.add("n2", rows(20, 5));
    store.close();

    var alive = new AtomicBoolean(true);
    try (var reopened = open(Clock.systemUTC())) {
      replayer(reopened, alive, new AtomicBoolean(false)).runOnce();
    }
    var expected = new ArrayList<Row>(rows(0, 10));
    expected.addAll(rows(20, 5));
    assertThat(delivered).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void hintsSurviveAReopenAndAreDeliveredAndDeletedOnceTheTargetIsAlive() throws Exception {
    var alive = new AtomicBoolean(false);
    var fail = new AtomicBoolean(false);
    try (var store = open(Clock.systemUTC())) {
      store.add("n2", rows(0, 10));
      store.add("n2", rows(10, 5));
      assertThat(store.pending("n2")).isEqualTo(15);
    }
    try (var store = open(Clock.systemUTC())) {
      assertThat(store.pending("n2")).isEqualTo(15);
      var replayer = replayer(store, alive, fail);
      replayer.runOnce();
      assertThat(delivered).isEmpty(); // target down: nothing moves
      alive.set(true);
      fail.set(true);
      replayer.runOnce();
      assertThat(hintFiles()).isNotEmpty(); // a failed delivery keeps the file
      fail.set(false);
      store.add("n2", rows(15, 1));
      replayer.runOnce();
      assertThat(delivered).containsExactlyElementsOf(rows(0, 16));
      assertThat(store.pending("n2")).isZero();
      assertThat(store.targets()).isEmpty();
      assertThat(hintFiles()).isEmpty();
      assertThat(counter("allidb_hints_delivered")).isEqualTo(16);
    }
  }

  @Test
  void aTornTailIsIgnoredAndTheRestDelivered() throws Exception {
    try (var store = open(Clock.systemUTC())) {
      store.add("n2", rows(0, 4));
    }
    Path file = hintFiles().get(0);
    long size = Files.size(file);
    try (var ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(size - 3); // a crash in the middle of the last record
    }
    try (var store = open(Clock.systemUTC())) {
      var contents = store.read("n2", file);
      assertThat(contents.tornTailBytes()).isPositive();
      assertThat(contents.corruption()).isEmpty();
      replayer(store, new AtomicBoolean(true), new AtomicBoolean(false)).runOnce();
      assertThat(delivered).containsExactlyElementsOf(rows(0, 3));
      assertThat(hintFiles()).isEmpty();
    }
  }

  @Test
  void corruptionIsReportedWithFileAndOffsetAndTheFileIsSetAside() throws Exception {
    try (var store = open(Clock.systemUTC())) {
      store.add("n2", rows(0, 4));
    }
    Path file = hintFiles().get(0);
    var first = HintFormat.decode(file, Files.readAllBytes(file), "n2");
    assertThat(first.hints()).hasSize(4);
    // flip a byte inside the third record's payload
    long offset = offsetOfRecord(Files.readAllBytes(file), 2);
    try (var ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
      var b = ByteBuffer.allocate(1);
      ch.read(b, offset + 12);
      b.put(0, (byte) (b.get(0) ^ 0x40)).rewind();
      ch.write(b, offset + 12);
    }
    try (var store = open(Clock.systemUTC())) {
      var contents = store.read("n2", file);
      assertThat(contents.hints()).hasSize(2);
      assertThat(contents.corruption()).isPresent();
      assertThat(contents.corruption().get().toString())
          .contains(file.toString())
          .contains("at offset " + offset)
          .contains("CRC32C mismatch");
      replayer(store, new AtomicBoolean(true), new AtomicBoolean(false)).runOnce();
      assertThat(delivered).containsExactlyElementsOf(rows(0, 2));
      assertThat(hintFiles()).isEmpty();
      assertThat(Files.exists(file.resolveSibling(file.getFileName() + ".corrupt"))).isTrue();
      assertThat(counter("allidb_hints_corrupt_files")).isEqualTo(1);
    }
  }

  @Test
  void hintsOlderThanTheWindowAreDroppedNotDelivered() throws Exception {
    var past = Clock.fixed(Instant.now().minus(Duration.ofHours(4)), ZoneOffset.UTC);
    try (var store = open(past)) {
      store.add("n2", rows(0, 3));
    }
    try (var store = open(Clock.systemUTC())) {
      store.add("n2", rows(3, 2));
      replayer(store, new AtomicBoolean(true), new AtomicBoolean(false)).runOnce();
      assertThat(delivered).containsExactlyElementsOf(rows(3, 2));
      assertThat(hintFiles()).isEmpty();
      assertThat(counter("allidb_hints_dropped")).isEqualTo(3);
    }
  }

  @Test
  void aDownTargetsFilesPastTheWindowAreDroppedWhole() throws Exception {
    try (var store = open(Clock.systemUTC())) {
      store.add("n3", rows(0, 3));
    }
    Path file = hintFiles().get(0);
    Files.setLastModifiedTime(
        file, java.nio.file.attribute.FileTime.from(Instant.now().minus(Duration.ofHours(5))));
    try (var store = open(Clock.systemUTC())) {
      replayer(store, new AtomicBoolean(false), new AtomicBoolean(false)).runOnce();
      assertThat(delivered).isEmpty();
      assertThat(hintFiles()).isEmpty();
      assertThat(store.pending("n3")).isZero();
      assertThat(counter("allidb_hints_dropped")).isEqualTo(3);
    }
  }

  private static long offsetOfRecord(byte[] file, int index) {
    var buf = ByteBuffer.wrap(file);
    buf.position(6);
    int hostLength = buf.getShort() & 0xFFFF;
    int pos = 8 + hostLength + 4;
    for (int i = 0; i < index; i++) {
      pos += 8 + buf.getInt(pos);
    }
    return pos;
  }

  private double counter(String name) {
    for (var s : registry.scrape()) {
      if (s instanceof CounterSnapshot c && c.getMetadata().getName().equals(name)) {
        return c.getDataPoints().stream().mapToDouble(d -> d.getValue()).sum();
      }
    }
    return 0;
  }

  private List<Path> hintFiles() throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".hints")).sorted().toList();
    }
  }
}
