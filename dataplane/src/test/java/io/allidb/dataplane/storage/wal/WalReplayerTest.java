package io.allidb.dataplane.storage.wal;

import static io.allidb.dataplane.storage.wal.WalTestSupport.batch;
import static io.allidb.dataplane.storage.wal.WalTestSupport.flipByte;
import static io.allidb.dataplane.storage.wal.WalTestSupport.options;
import static io.allidb.dataplane.storage.wal.WalTestSupport.replayAll;
import static io.allidb.dataplane.storage.wal.WalTestSupport.row;
import static io.allidb.dataplane.storage.wal.WalTestSupport.segmentFiles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.allidb.dataplane.storage.io.FileIo;
import io.allidb.dataplane.storage.row.Row;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalReplayerTest {
  @TempDir Path root;

  private long seed;
  private Random rnd;

  @BeforeEach
  void setUp() {
    seed = WalTestSupport.seed("WalReplayerTest");
    rnd = new Random(seed);
  }

  /** Writes {@code count} batches into one fresh segment of {@code dir}; returns them. */
  private List<List<Row>> writeBatches(Path dir, String prefix, int count) throws IOException {
    List<List<Row>> batches = new ArrayList<>();
    try (var wal = WalWriter.open(dir, options(DurabilityMode.SYNC))) {
      for (int i = 0; i < count; i++) {
        List<Row> b = batch(rnd, prefix + i, 3, 40);
        wal.append(b);
        batches.add(b);
      }
    }
    return batches;
  }

  /** Start offsets of the records, plus the end offset of the last one. */
  private static long[] recordOffsets(List<List<Row>> batches) {
    long[] offsets = new long[batches.size() + 1];
    offsets[0] = WalFormat.HEADER_BYTES;
    for (int i = 0; i < batches.size(); i++) {
      offsets[i + 1] = offsets[i] + WalFormat.encodeBatch(batches.get(i)).length;
    }
    return offsets;
  }

  private static ReplayResult replay(Path dir, boolean skipCorrupt, List<List<Row>> into)
      throws IOException {
    return WalReplayer.replay(dir, 1, FileIo.real(), skipCorrupt, into::add);
  }

  private static void truncateFile(Path file, long size) throws IOException {
    try (var raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(size);
    }
  }

  @Test
  void replayTruncatesATornTailAtEveryCutAndReplaysRecordsAppendedAfterReopen() throws Exception {
    Path pristine = root.resolve("pristine");
    List<List<Row>> batches = writeBatches(pristine, "b", 6);
    long[] offsets = recordOffsets(batches);
    Path segment = pristine.resolve(WalFormat.fileName(1));
    long size = Files.size(segment);
    assertThat(size).isEqualTo(offsets[batches.size()]);
    long lastTwoRecords = size - offsets[batches.size() - 2];

    for (long k = 1; k <= lastTwoRecords; k++) {
      Path dir = root.resolve("cut" + k);
      Files.createDirectories(dir);
      Path file = dir.resolve(WalFormat.fileName(1));
      Files.copy(segment, file);
      long cut = size - k;
      truncateFile(file, cut);

      int complete = 0;
      while (offsets[complete + 1] <= cut) {
        complete++;
      }
      long goodEnd = offsets[complete];
      List<List<Row>> replayed = new ArrayList<>();
      ReplayResult result = replay(dir, false, replayed);
      assertThat(replayed).as("cut %d", k).containsExactlyElementsOf(batches.subList(0, complete));
      if (cut == offsets[complete]) {
        assertThat(result.damage()).as("cut %d at a record boundary", k).isEmpty();
      } else {
        assertThat(result.damage())
            .as("cut %d", k)
            .singleElement()
            .satisfies(
                d -> {
                  assertThat(d.truncated()).isTrue();
                  assertThat(d.file()).isEqualTo(file);
                  assertThat(d.offset()).isEqualTo(goodEnd);
                  assertThat(d.bytesDropped()).isEqualTo(cut - goodEnd);
                  assertThat(d.toString()).contains(file.toString(), "offset " + d.offset());
                });
      }
      assertThat(Files.size(file)).isEqualTo(offsets[complete]);

      // The original bug: records written after a torn tail were never replayed.
      List<Row> fresh = List.of(row("after-restart-" + k, 99, new byte[] {7}));
      try (var wal = WalWriter.open(dir, options(DurabilityMode.NONE))) {
        wal.append(fresh);
      }
      List<List<Row>> expected = new ArrayList<>(batches.subList(0, complete));
      expected.add(fresh);
      List<List<Row>> again = new ArrayList<>();
      assertThat(replay(dir, false, again).damage()).isEmpty();
      assertThat(again).as("cut %d after restart", k).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void aCorruptRecordFollowedByValidOnesIsMidLogCorruptionAtEveryFlippedByte() throws Exception {
    Path pristine = root.resolve("pristine");
    List<List<Row>> batches = writeBatches(pristine, "m", 8);
    long[] offsets = recordOffsets(batches);
    Path segment = pristine.resolve(WalFormat.fileName(1));
    int bad = 3;
    List<List<Row>> withoutBad = new ArrayList<>(batches);
    withoutBad.remove(bad);

    for (long at = offsets[bad]; at < offsets[bad + 1]; at++) {
      Path dir = root.resolve("flip" + at);
      Files.createDirectories(dir);
      Path file = dir.resolve(WalFormat.fileName(1));
      Files.copy(segment, file);
      flipByte(file, at);

      List<List<Row>> seen = new ArrayList<>();
      long badOffset = offsets[bad];
      assertThatThrownBy(() -> replay(dir, false, seen))
          .as("flip at %d", at)
          .isInstanceOfSatisfying(
              WalCorruptionException.class,
              e -> {
                assertThat(e.file()).isEqualTo(file);
                assertThat(e.offset()).isEqualTo(badOffset);
                assertThat(e.getMessage())
                    .contains(file.toString(), "offset " + badOffset, "skipCorruptWalRecords");
              });
      assertThat(seen).containsExactlyElementsOf(batches.subList(0, bad));
      assertThat(Files.size(file)).as("nothing truncated").isEqualTo(offsets[batches.size()]);

      List<List<Row>> skipped = new ArrayList<>();
      ReplayResult result = replay(dir, true, skipped);
      assertThat(skipped).as("flip at %d", at).containsExactlyElementsOf(withoutBad);
      assertThat(result.damage())
          .singleElement()
          .satisfies(
              d -> {
                assertThat(d.truncated()).isFalse();
                assertThat(d.offset()).isEqualTo(badOffset);
                assertThat(d.bytesDropped()).isEqualTo(offsets[bad + 1] - offsets[bad]);
              });
    }
  }

  @Test
  void aCorruptLastRecordIsTruncatedAtEveryFlippedByte() throws Exception {
    Path pristine = root.resolve("pristine");
    List<List<Row>> batches = writeBatches(pristine, "l", 5);
    long[] offsets = recordOffsets(batches);
    Path segment = pristine.resolve(WalFormat.fileName(1));
    int last = batches.size() - 1;

    for (long at = offsets[last]; at < offsets[last + 1]; at++) {
      Path dir = root.resolve("flip" + at);
      Files.createDirectories(dir);
      Path file = dir.resolve(WalFormat.fileName(1));
      Files.copy(segment, file);
      flipByte(file, at);

      List<List<Row>> seen = new ArrayList<>();
      ReplayResult result = replay(dir, false, seen);
      assertThat(seen).as("flip at %d", at).containsExactlyElementsOf(batches.subList(0, last));
      assertThat(result.damage())
          .singleElement()
          .matches(d -> d.truncated() && d.offset() == offsets[last]);
      assertThat(Files.size(file)).isEqualTo(offsets[last]);
    }
  }

  @Test
  void aCorruptTailOfASegmentFollowedByASegmentWithRecordsIsMidLogCorruption() throws Exception {
    List<List<Row>> first = new ArrayList<>();
    List<List<Row>> second = new ArrayList<>();
    Path dir = root.resolve("wal");
    try (var wal = WalWriter.open(dir, options(DurabilityMode.SYNC))) {
      for (int i = 0; i < 4; i++) {
        List<Row> b = batch(rnd, "s1-" + i, 2, 30);
        wal.append(b);
        first.add(b);
      }
      wal.rotate();
      for (int i = 0; i < 4; i++) {
        List<Row> b = batch(rnd, "s2-" + i, 2, 30);
        wal.append(b);
        second.add(b);
      }
    }
    Path segment1 = dir.resolve(WalFormat.fileName(1));
    flipByte(segment1, Files.size(segment1) - 1);

    assertThatThrownBy(() -> replay(dir, false, new ArrayList<>()))
        .isInstanceOf(WalCorruptionException.class)
        .hasMessageContaining(segment1.toString())
        .hasMessageContaining(WalFormat.fileName(2));

    List<List<Row>> seen = new ArrayList<>();
    ReplayResult result = replay(dir, true, seen);
    List<List<Row>> expected = new ArrayList<>(first.subList(0, 3));
    expected.addAll(second);
    assertThat(seen).containsExactlyElementsOf(expected);
    assertThat(result.damage()).singleElement().matches(d -> !d.truncated());
    assertThat(result.segments()).isEqualTo(2);
    assertThat(result.maxSegmentSeq()).isEqualTo(2);
  }

  @Test
  void aTornOrEmptyLastSegmentIsDeletedAndReported() throws Exception {
    for (int length : new int[] {0, 1, 10, WalFormat.HEADER_BYTES - 1}) {
      Path dir = root.resolve("torn" + length);
      List<List<Row>> batches = writeBatches(dir, "t", 3);
      Path torn = dir.resolve(WalFormat.fileName(2));
      Files.write(torn, Arrays.copyOf(WalFormat.header(2).array(), length));

      List<List<Row>> seen = new ArrayList<>();
      ReplayResult result = replay(dir, false, seen);
      assertThat(seen).containsExactlyElementsOf(batches);
      assertThat(result.damage())
          .singleElement()
          .matches(d -> d.truncated() && d.file().equals(torn) && d.bytesDropped() == length);
      assertThat(torn).doesNotExist();
    }
  }

  @Test
  void aGarbageHeaderIsCorruptionUnlessTheSegmentIsATornLastOne() throws Exception {
    Path dir = root.resolve("wal");
    List<List<Row>> batches = writeBatches(dir, "g", 3);
    Path segment = dir.resolve(WalFormat.fileName(1));
    flipByte(segment, 2); // inside the magic

    assertThatThrownBy(() -> replay(dir, false, new ArrayList<>()))
        .isInstanceOfSatisfying(WalCorruptionException.class, e -> assertThat(e.offset()).isZero())
        .hasMessageContaining("checksum");
    List<List<Row>> seen = new ArrayList<>();
    ReplayResult result = replay(dir, true, seen);
    assertThat(seen).isEmpty();
    assertThat(result.damage()).singleElement().matches(d -> !d.truncated());
    assertThat(segment).exists();

    // A full-length header with a valid checksum but the wrong seq is corruption as well.
    Path renamed = dir.resolve(WalFormat.fileName(7));
    Files.write(segment, WalFormat.header(1).array());
    Files.move(segment, renamed);
    Files.write(dir.resolve(WalFormat.fileName(8)), WalFormat.header(8).array());
    assertThatThrownBy(() -> replay(dir, false, new ArrayList<>()))
        .isInstanceOf(WalCorruptionException.class)
        .hasMessageContaining("does not match");
    assertThat(batches).hasSize(3);
  }

  @Test
  void aChecksumValidRecordThatDoesNotDecodeIsCorruption() throws Exception {
    Path dir = root.resolve("wal");
    Files.createDirectories(dir);
    byte[] good1 = WalFormat.encodeBatch(List.of(row("a", 1, new byte[] {1})));
    byte[] good2 = WalFormat.encodeBatch(List.of(row("b", 2, new byte[] {2})));
    byte[] payload = {1, (byte) 0xFF, 0, 0}; // one row whose flags byte is invalid
    var undecodable = ByteBuffer.allocate(WalFormat.RECORD_HEADER_BYTES + payload.length);
    var crc = new CRC32C();
    crc.update(new byte[] {WalFormat.TYPE_ROW_BATCH});
    crc.update(payload);
    undecodable.putInt(payload.length).putInt((int) crc.getValue());
    undecodable.put(WalFormat.TYPE_ROW_BATCH).put(payload);

    var out = new ByteArrayOutputStream();
    out.write(WalFormat.header(1).array());
    out.write(good1);
    out.write(undecodable.array());
    out.write(good2);
    Path file = dir.resolve(WalFormat.fileName(1));
    Files.write(file, out.toByteArray());

    long badOffset = WalFormat.HEADER_BYTES + good1.length;
    assertThatThrownBy(() -> replay(dir, false, new ArrayList<>()))
        .isInstanceOfSatisfying(
            WalCorruptionException.class, e -> assertThat(e.offset()).isEqualTo(badOffset))
        .hasMessageContaining("does not decode");
    List<List<Row>> seen = new ArrayList<>();
    replay(dir, true, seen);
    assertThat(seen).extracting(b -> b.get(0).key().id()).containsExactly("a", "b");
  }

  @Test
  void replayStartsAtTheRequestedSegmentAndIgnoresForeignFiles() throws Exception {
    Path dir = root.resolve("wal");
    writeBatches(dir, "one", 2);
    List<List<Row>> second = writeBatches(dir, "two", 2);
    Files.writeString(dir.resolve("wal-1.log"), "not a segment name");
    Files.writeString(dir.resolve("notes.txt"), "hello");

    List<List<Row>> seen = new ArrayList<>();
    ReplayResult result = WalReplayer.replay(dir, 2, FileIo.real(), false, seen::add);
    assertThat(seen).containsExactlyElementsOf(second);
    assertThat(result.segments()).isEqualTo(1);
    assertThat(result.records()).isEqualTo(2);
    assertThat(result.rows()).isEqualTo(second.stream().mapToLong(List::size).sum());
    assertThat(result.maxSegmentSeq()).isEqualTo(2);
    assertThat(result.damage()).isEmpty();
    assertThat(replayAll(dir)).hasSize(4);
    assertThat(segmentFiles(dir)).hasSize(2);
  }

  @Test
  void replayOfAMissingDirectoryFindsNothing() throws Exception {
    ReplayResult result =
        WalReplayer.replay(root.resolve("absent"), 1, FileIo.real(), false, b -> {});
    assertThat(result.segments()).isZero();
    assertThat(result.maxSegmentSeq()).isZero();
  }
}
