package io.allidb.dataplane.storage.sstable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.allidb.dataplane.storage.io.FaultInjectingFileIo;
import io.allidb.dataplane.storage.io.FileIo;
import io.allidb.dataplane.storage.row.Row;
import io.allidb.dataplane.storage.row.RowCodec;
import io.allidb.dataplane.storage.row.RowIterator;
import io.allidb.dataplane.storage.row.RowKey;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

class SSTableTest {
  private static final FileIo IO = FileIo.real();

  @TempDir Path dir;

  static SSTableReader write(Path dir, long gen, int blockBytes, Iterable<Row> rows, FileIo io)
      throws IOException {
    try (var w = SSTableWriter.create(dir, gen, blockBytes, 10, 1000, io)) {
      for (Row r : rows) {
        w.add(r);
      }
      return w.finish();
    }
  }

  static List<Row> readAll(SSTableReader reader, RowKey from, RowKey to) throws IOException {
    var out = new ArrayList<Row>();
    try (RowIterator it = reader.iterator(from, to)) {
      while (it.hasNext()) {
        RowKey peeked = it.peekKey();
        Row row = it.next();
        assertThat(row.key()).isEqualTo(peeked);
        out.add(row);
      }
    }
    return out;
  }

  private static List<Path> files(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      return s.toList();
    }
  }

  @Test
  void randomRowsRoundTripThroughGetAndFullIteration(TestInfo info) throws IOException {
    var rnd = new Random(RandomRows.seed(info.getDisplayName()));
    TreeMap<RowKey, Row> rows = RandomRows.generate(rnd, 3000);
    try (var reader = write(dir, 7, 1024, rows.values(), IO)) {
      assertThat(reader.blockCount()).isGreaterThan(50);
      for (Row row : rows.values()) {
        assertThat(reader.mightContain(row.key())).isTrue();
        assertThat(reader.get(row.key())).as("get %s", row.key()).contains(row);
      }
      for (int i = 0; i < 3000; i++) {
        RowKey absent = RandomRows.randomKey(rnd);
        if (!rows.containsKey(absent)) {
          assertThat(reader.get(absent)).as("get absent %s", absent).isEmpty();
        }
      }
      assertThat(reader.get(RowKey.of("\u0001", "x"))).isEmpty();
      assertThat(reader.get(RowKey.of("\uffff", "x"))).isEmpty();
      assertThat(readAll(reader, null, null)).containsExactlyElementsOf(rows.values());
    }
  }

  @Test
  void rangedIterationMatchesSortedMapOracle(TestInfo info) throws IOException {
    var rnd = new Random(RandomRows.seed(info.getDisplayName()));
    TreeMap<RowKey, Row> rows = RandomRows.generate(rnd, 1500);
    try (var reader = write(dir, 1, 700, rows.values(), IO)) {
      var bounds = new ArrayList<RowKey>();
      List<RowKey> keys = new ArrayList<>(rows.keySet());
      for (int i = 0; i < reader.blockCount(); i++) {
        RowKey last = reader.blockLastKey(i);
        bounds.add(last); // ends a block
        bounds.add(RowKey.of(last.tenant(), last.id() + "\u0000")); // between two blocks
      }
      for (int i = 0; i < 50; i++) {
        RowKey k = keys.get(rnd.nextInt(keys.size()));
        bounds.add(k); // inside a block, inside a tenant
        bounds.add(RowKey.of(k.tenant(), "\u0000")); // start of a tenant
        bounds.add(RandomRows.randomKey(rnd)); // mostly absent keys
      }
      bounds.add(null);
      for (int i = 0; i < 400; i++) {
        RowKey from = bounds.get(rnd.nextInt(bounds.size()));
        RowKey to = bounds.get(rnd.nextInt(bounds.size()));
        NavigableMap<RowKey, Row> expected = rows;
        if (from != null) {
          expected = expected.tailMap(from, true);
        }
        if (to != null) {
          expected =
              from != null && from.compareTo(to) >= 0
                  ? new TreeMap<>()
                  : expected.headMap(to, false);
        }
        assertThat(readAll(reader, from, to))
            .as("[%s, %s)", from, to)
            .containsExactlyElementsOf(expected.values());
      }
    }
  }

  @Test
  void exhaustedIteratorThrowsNoSuchElement() throws IOException {
    try (var reader =
            write(dir, 1, 512, List.of(Row.live(RowKey.of("t", "a"), 1, new byte[3])), IO);
        var it = reader.iterator(null, null)) {
      assertThat(it.next().key().id()).isEqualTo("a");
      assertThat(it.hasNext()).isFalse();
      assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
      assertThatThrownBy(it::peekKey).isInstanceOf(NoSuchElementException.class);
    }
  }

  @Test
  void compressibleRowsMakeAFileSmallerThanTheRawRows() throws IOException {
    var rows = new ArrayList<Row>();
    long raw = 0;
    for (int i = 0; i < 2000; i++) {
      byte[] value =
          ("{\"name\":\"entity number " + i + "\",\"tags\":[\"a\",\"b\",\"c\"]}")
              .repeat(4)
              .getBytes();
      Row row = Row.live(RowKey.of("acme", String.format("e%06d", i)), 1000 + i, value);
      rows.add(row);
      raw += RowCodec.encodedSize(row);
    }
    try (var reader = write(dir, 1, 16 << 10, rows, IO)) {
      assertThat(reader.fileBytes()).isLessThan(raw / 2);
      assertThat(readAll(reader, null, null)).containsExactlyElementsOf(rows);
    }
  }

  @Test
  void incompressibleValuesAreStoredUncompressedAndRoundTrip(TestInfo info) throws IOException {
    var rnd = new Random(RandomRows.seed(info.getDisplayName()));
    var rows = new ArrayList<Row>();
    long raw = 0;
    for (int i = 0; i < 300; i++) {
      byte[] value = new byte[600];
      rnd.nextBytes(value);
      // A realistic HLC timestamp: a tiny one's zero bytes would be a compressible run.
      long ts = 1_764_000_000_000_000L + rnd.nextInt(1 << 30);
      Row row = Row.live(RowKey.of("acme", String.format("e%06d", i)), ts, value);
      rows.add(row);
      raw += RowCodec.encodedSize(row);
    }
    // 512-byte blocks hold one row each, so there is no repeated key to compress either.
    try (var reader = write(dir, 1, 512, rows, IO)) {
      byte[] file = Files.readAllBytes(reader.path());
      int blocks = reader.blockCount();
      assertThat(blocks).isEqualTo(rows.size());
      for (int i = 0; i < blocks; i++) {
        assertThat(file[(int) reader.blockOffset(i)])
            .as("compression byte of block %d", i)
            .isEqualTo(SSTableFormat.COMPRESSION_NONE);
      }
      // Stored raw: the data region is the rows plus 13 bytes of framing per block.
      long dataEnd = reader.blockOffset(blocks - 1) + reader.blockLength(blocks - 1);
      assertThat(dataEnd).isEqualTo(raw + 13L * blocks);
      for (Row row : rows) {
        assertThat(reader.get(row.key())).contains(row);
      }
    }
  }

  @Test
  void propertiesSummarizeTheRows() throws IOException {
    var a = Row.live(RowKey.of("t", "a"), 50, new byte[] {1});
    var b = Row.tombstone(RowKey.of("t", "b"), 20);
    var c = new Row(RowKey.of("u", "c"), 90, false, 5_000, new byte[0]);
    try (var reader = write(dir, 42, 512, List.of(a, b, c), IO)) {
      SSTableProperties p = reader.properties();
      assertThat(p.rowCount()).isEqualTo(3);
      assertThat(p.tombstoneCount()).isEqualTo(1);
      assertThat(p.minTimestamp()).isEqualTo(20);
      assertThat(p.maxTimestamp()).isEqualTo(90);
      assertThat(p.minKey()).isEqualTo(a.key());
      assertThat(p.maxKey()).isEqualTo(c.key());
      assertThat(p.minDeletionTimeMicros()).isEqualTo(20);
      assertThat(p.maxDeletionTimeMicros()).isEqualTo(Long.MAX_VALUE);
      assertThat(p.createdAtMicros()).isPositive();
      assertThat(reader.generation()).isEqualTo(42);
      assertThat(reader.path()).isEqualTo(dir.resolve("sst-00000000000000000042.db"));
      assertThat(reader.fileBytes()).isEqualTo(Files.size(reader.path()));
      assertThat(reader.mightContain(RowKey.of("s", "z"))).isFalse();
      assertThat(reader.mightContain(RowKey.of("u", "d"))).isFalse();
    }
    try (var reopened = SSTableReader.open(dir.resolve("sst-00000000000000000042.db"), IO)) {
      assertThat(reopened.get(b.key())).contains(b);
      assertThat(reopened.get(c.key())).contains(c);
    }
  }

  @Test
  void addingAKeyNotGreaterThanThePreviousOneThrowsNamingBothKeys() throws IOException {
    try (var w = SSTableWriter.create(dir, 1, 4096, 10, 10, IO)) {
      w.add(Row.live(RowKey.of("t", "b"), 1, new byte[0]));
      assertThatThrownBy(() -> w.add(Row.live(RowKey.of("t", "a"), 1, new byte[0])))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("t/a")
          .hasMessageContaining("t/b");
      assertThatThrownBy(() -> w.add(Row.live(RowKey.of("t", "b"), 2, new byte[0])))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void writerClosedWithoutFinishLeavesNoFile() throws IOException {
    try (var w = SSTableWriter.create(dir, 1, 512, 10, 10, IO)) {
      for (int i = 0; i < 100; i++) {
        w.add(Row.live(RowKey.of("t", String.format("%04d", i)), 1, new byte[50]));
      }
      assertThat(w.bytesWritten()).isPositive();
      assertThat(files(dir)).containsExactly(dir.resolve("sst-00000000000000000001.db.tmp"));
    }
    assertThat(files(dir)).isEmpty();
  }

  @Test
  void finishingWithoutRowsThrowsAndLeavesNoFile() throws IOException {
    try (var w = SSTableWriter.create(dir, 1, 512, 10, 10, IO)) {
      assertThatThrownBy(w::finish).isInstanceOf(IllegalStateException.class);
    }
    assertThat(files(dir)).isEmpty();
  }

  @Test
  void creatingAnExistingGenerationThrows() throws IOException {
    write(dir, 3, 512, List.of(Row.live(RowKey.of("t", "a"), 1, new byte[0])), IO).close();
    assertThatThrownBy(() -> SSTableWriter.create(dir, 3, 512, 10, 10, IO))
        .isInstanceOf(FileAlreadyExistsException.class);
  }

  @Test
  void finishedTableIsTheOnlyFileLeft() throws IOException {
    write(dir, 5, 512, List.of(Row.live(RowKey.of("t", "a"), 1, new byte[0])), IO).close();
    assertThat(files(dir)).containsExactly(dir.resolve("sst-00000000000000000005.db"));
  }

  @Test
  void lastUnrefOfAnObsoleteTableDeletesTheFile() throws IOException {
    var rows = List.of(Row.live(RowKey.of("t", "a"), 1, new byte[] {7}));
    SSTableReader reader = write(dir, 1, 512, rows, IO);
    assertThat(reader.tryRef()).isTrue(); // a reader in flight
    RowIterator it = reader.iterator(null, null);
    reader.markObsolete();
    reader.close(); // the owner lets go
    assertThat(reader.path()).exists();
    assertThat(reader.get(rows.get(0).key())).contains(rows.get(0));
    reader.unref(); // the point read is done
    assertThat(reader.path()).exists();
    assertThat(it.next()).isEqualTo(rows.get(0));
    it.close();
    assertThat(reader.path()).doesNotExist();
    assertThat(reader.tryRef()).isFalse();
    assertThatThrownBy(() -> reader.get(rows.get(0).key()))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(reader::unref).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void releasedTableThatIsNotObsoleteKeepsItsFile() throws IOException {
    SSTableReader reader =
        write(dir, 1, 512, List.of(Row.live(RowKey.of("t", "a"), 1, new byte[0])), IO);
    reader.close();
    assertThat(reader.path()).exists();
    assertThat(reader.tryRef()).isFalse();
  }

  @Test
  void concurrentReadsReturnTheRows(TestInfo info) throws Exception {
    var rnd = new Random(RandomRows.seed(info.getDisplayName()));
    TreeMap<RowKey, Row> rows = RandomRows.generate(rnd, 1000);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (var reader = write(dir, 1, 1024, rows.values(), IO)) {
      var futures = new ArrayList<Future<Integer>>();
      for (int t = 0; t < 4; t++) {
        futures.add(
            pool.submit(
                () -> {
                  for (Row row : rows.values()) {
                    assertThat(reader.get(row.key())).contains(row);
                  }
                  return readAll(reader, null, null).size();
                }));
      }
      for (Future<Integer> f : futures) {
        assertThat(f.get()).isEqualTo(rows.size());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void diskFullAtAnyPointLeavesNoLiveFile(TestInfo info) throws IOException {
    var rnd = new Random(RandomRows.seed(info.getDisplayName()));
    TreeMap<RowKey, Row> rows = RandomRows.generate(rnd, 300);
    Path reference = Files.createDirectory(dir.resolve("reference"));
    long size;
    try (var r = write(reference, 1, 1024, rows.values(), IO)) {
      size = r.fileBytes();
    }
    long[] limits = {0, 1, 1000, size / 2, size - SSTableFormat.FOOTER_BYTES, size - 1};
    for (long limit : limits) {
      Path d = Files.createDirectory(dir.resolve("limit-" + limit));
      var io = new FaultInjectingFileIo().failWritesAfterBytes(limit);
      assertThatThrownBy(() -> write(d, 1, 1024, rows.values(), io))
          .as("limit %d", limit)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("No space left on device");
      assertThat(files(d)).as("limit %d", limit).isEmpty();
    }
    Path ok = Files.createDirectory(dir.resolve("limit-exact"));
    write(ok, 1, 1024, rows.values(), new FaultInjectingFileIo().failWritesAfterBytes(size))
        .close();
    assertThat(files(ok)).hasSize(1);
  }

  @Test
  void failedDirectorySyncAfterTheRenameLeavesNoLiveFile() throws IOException {
    var io = new FaultInjectingFileIo().failNextDirectorySync();
    assertThatThrownBy(
            () -> write(dir, 1, 512, List.of(Row.live(RowKey.of("t", "a"), 1, new byte[0])), io))
        .hasMessageContaining("Input/output error");
    assertThat(files(dir)).isEmpty();
  }

  @Test
  void fileNamesSortByGeneration() {
    assertThat(SSTableFormat.fileName(12)).isEqualTo("sst-00000000000000000012.db");
    assertThat(SSTableFormat.fileName(Long.MAX_VALUE)).hasSize(27);
    assertThat(SSTableFormat.fileName(9).compareTo(SSTableFormat.fileName(10))).isNegative();
    assertThat(SSTableFormat.generationOf(Path.of("/x/sst-00000000000000000012.db"))).isEqualTo(12);
    assertThat(SSTableFormat.isSSTableFileName("sst-00000000000000000012.db.tmp")).isFalse();
    assertThatThrownBy(() -> SSTableFormat.generationOf(Path.of("wal-1.log")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
