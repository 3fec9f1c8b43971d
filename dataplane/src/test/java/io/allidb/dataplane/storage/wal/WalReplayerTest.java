package io.allidb.dataplane.storage.wal;

import static io.allidb.dataplane.storage.wal.WalTestSupport.batch;
import static io.allidb.dataplane.storage.wal.WalTestSupport.flipByte;
import static io.allidb.dataplane.storage.wal.WalTestSupport.options;
import static io.allidb.dataplane.storage.wal.WalTestSupport.replayAll;
import static io.allidb.dataplane.storage.wal.WalTestSupport.row;
import static io.allidb.dataplane.storage.wal.WalTestSupport.section;
import static io.allidb.dataplane.storage.wal.WalTestSupport.segment;
import static io.allidb.dataplane.storage.wal.WalTestSupport.segmentFiles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.allidb.dataplane.storage.io.FileIo;
import io.allidb.dataplane.storage.row.Row;
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

  /**
   * Writes {@code count} batches into one fresh segment of {@code dir}, each awaited before the
   * next is appended so that each is alone in its sync section; returns them.
   */
  private List<List<Row>> writeBatches(Path dir, String prefix, int count) throws IOException {
    List<List<Row>> batches = new ArrayList<>();
    try (var wal = WalWriter.open(dir, options(DurabilityMode.SYNC))) {
      for (int i = 0; i < count; i++) {
        List<Row> b = batch(rnd, prefix + i, 3, 40);
        wal.awaitDurable(wal.append(b));
        batches.add(b);
      }
    }
    return batches;
  }

  /**
   * Start offsets of the one-record sections written by {@link #writeBatches}, plus the end offset
   * of the last one.
   */
  private static long[] sectionOffsets(List<List<Row>> batches) {
    long[] offsets = new long[batches.size() + 1];
    offsets[0] = WalFormat.HEADER_BYTES;
    for (int i = 0; i < batches.size(); i++) {
      offsets[i + 1] =
          offsets[i]
              + WalFormat.SECTION_HEADER_BYTES
              + WalFormat.encodeBatch(batches.get(i)).length;
    }
    return offsets;
  }

  /** A fresh directory holding segment 1 with the given bytes; returns the segment file. */
  private Path segmentDir(String name, byte[] bytes) throws IOException {
    Path dir = root.resolve(name);
    Files.createDirectories(dir);
    Path file = dir.resolve(WalFormat.fileName(1));
    Files.write(file, bytes);
    return file;
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
    long[] offsets = sectionOffsets(batches);
    Path segment = pristine.resolve(WalFormat.fileName(1));
    long size = Files.size(segment);
    assertThat(size).isEqualTo(offsets[batches.size()]);
    long lastTwoSections = size - offsets[batches.size() - 2];

    for (long k = 1; k <= lastTwoSections; k++) {
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
        assertThat(result.damage()).as("cut %d at a section boundary", k).isEmpty();
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
  void damageInASectionFollowedByAValidSectionIsMidLogCorruptionAtEveryFlippedByte()
      throws Exception {
    Path pristine = root.resolve("pristine");
    List<List<Row>> batches = writeBatches(pristine, "m", 8);
    long[] offsets = sectionOffsets(batches);
    Path segment = pristine.resolve(WalFormat.fileName(1));
    int bad = 3;
    List<List<Row>> withoutBad = new ArrayList<>(batches);
    withoutBad.remove(bad);
    long recordStart = offsets[bad] + WalFormat.SECTION_HEADER_BYTES;

    for (long at = offsets[bad]; at < offsets[bad + 1]; at++) {
      Path dir = root.resolve("flip" + at);
      Files.createDirectories(dir);
      Path file = dir.resolve(WalFormat.fileName(1));
      Files.copy(segment, file);
      flipByte(file, at);
      // A bad section header is reported at the section, a bad record at the record.
      boolean inHeader = at < recordStart;
      long badOffset = inHeader ? offsets[bad] : recordStart;

      List<List<Row>> seen = new ArrayList<>();
      assertThatThrownBy(() -> replay(dir, false, seen))
          .as("flip at %d", at)
          .isInstanceOfSatisfying(
              WalCorruptionException.class,
              e -> {
                assertThat(e.file()).isEqualTo(file);
                assertThat(e.offset()).isEqualTo(badOffset);
                assertThat(e.getMessage())
                    .contains(
                        file.toString(),
                        "offset " + badOffset,
                        "a valid section follows at offset " + offsets[bad + 1],
                        "skipCorruptWalRecords");
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
                assertThat(d.bytesDropped()).isEqualTo(offsets[bad + 1] - badOffset);
              });
    }
  }

  @Test
  void aDamagedRecordInsideAMultiRecordSectionBeforeAValidSectionIsCorruptionAndSkippable()
      throws Exception {
    byte[] a = WalFormat.encodeBatch(List.of(row("a", 1, new byte[] {1})));
    byte[] b = WalFormat.encodeBatch(List.of(row("b", 2, new byte[] {2, 2})));
    byte[] c = WalFormat.encodeBatch(List.of(row("c", 3, new byte[] {3, 3, 3})));
    byte[] d = WalFormat.encodeBatch(List.of(row("d", 4, new byte[] {4})));
    byte[] garbledB = b.clone();
    garbledB[garbledB.length - 1] ^= 0x11;
    byte[] first = section(1, a, garbledB, c);
    Path file = segmentDir("wal", segment(1, first, section(2, d)));
    Path dir = file.getParent();
    long badOffset = WalFormat.HEADER_BYTES + WalFormat.SECTION_HEADER_BYTES + a.length;

    List<List<Row>> seen = new ArrayList<>();
    assertThatThrownBy(() -> replay(dir, false, seen))
        .isInstanceOfSatisfying(
            WalCorruptionException.class,
            e -> {
              assertThat(e.file()).isEqualTo(file);
              assertThat(e.offset()).isEqualTo(badOffset);
            })
        .hasMessageContaining("checksum mismatch");
    assertThat(seen).as("a section is delivered only once checked whole").isEmpty();

    List<List<Row>> skipped = new ArrayList<>();
    ReplayResult result = replay(dir, true, skipped);
    assertThat(skipped).extracting(x -> x.get(0).key().id()).containsExactly("a", "c", "d");
    assertThat(result.damage())
        .singleElement()
        .matches(x -> !x.truncated() && x.offset() == badOffset && x.bytesDropped() == b.length);
  }

  @Test
  void aLastSectionWithAGarbageRecordBeforeAnIntactOneIsATornTailDroppedWhole() throws Exception {
    // Power loss while the last group's fsync was running: its pages reached the disk in any
    // order, so a later record can be intact while an earlier one is garbage (here: never written,
    // zeros, or a half-written page with flipped bytes). Nothing of it was acknowledged.
    List<byte[]> records = new ArrayList<>();
    List<List<Row>> batches = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      List<Row> b = batch(rnd, "p" + i, 3, 60);
      batches.add(b);
      records.add(WalFormat.encodeBatch(b));
    }
    byte[] s1 = section(1, records.get(0));
    byte[] s2 = section(2, records.get(1), records.get(2));
    long lastStart = WalFormat.HEADER_BYTES + s1.length + s2.length;

    for (String garbage : List.of("zeros", "flipped")) {
      byte[] torn = records.get(3).clone();
      if (garbage.equals("zeros")) {
        Arrays.fill(torn, (byte) 0);
      } else {
        int at = rnd.nextInt(torn.length);
        torn[at] ^= (byte) (1 + rnd.nextInt(255));
      }
      byte[] s3 = section(3, torn, records.get(4));
      Path file = segmentDir("torn-" + garbage, segment(1, s1, s2, s3));
      Path dir = file.getParent();

      List<List<Row>> seen = new ArrayList<>();
      ReplayResult result = replay(dir, false, seen);
      assertThat(seen).as(garbage).containsExactlyElementsOf(batches.subList(0, 3));
      assertThat(result.damage())
          .as(garbage)
          .singleElement()
          .satisfies(
              d -> {
                assertThat(d.truncated()).isTrue();
                assertThat(d.file()).isEqualTo(file);
                assertThat(d.offset()).isEqualTo(lastStart);
                assertThat(d.bytesDropped()).isEqualTo(s3.length);
                assertThat(d.reason()).contains("last section");
              });
      assertThat(Files.size(file)).isEqualTo(lastStart);

      List<Row> fresh = List.of(row("after-power-loss-" + garbage, 99, new byte[] {7}));
      try (var wal = WalWriter.open(dir, options(DurabilityMode.SYNC))) {
        wal.awaitDurable(wal.append(fresh));
      }
      List<List<Row>> again = new ArrayList<>();
      assertThat(replay(dir, false, again).damage()).isEmpty();
      List<List<Row>> expected = new ArrayList<>(batches.subList(0, 3));
      expected.add(fresh);
      assertThat(again).as(garbage).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void aTornOrGarbledLastSectionHeaderIsATornTailButCorruptionBeforeAValidSection()
      throws Exception {
    byte[] r1 = WalFormat.encodeBatch(List.of(row("one", 1, new byte[] {1})));
    byte[] r2 = WalFormat.encodeBatch(List.of(row("two", 2, new byte[] {2})));
    byte[] r3 = WalFormat.encodeBatch(List.of(row("three", 3, new byte[] {3})));
    byte[] s1 = section(1, r1);
    byte[] s2 = section(2, r2);
    long s2Start = WalFormat.HEADER_BYTES + s1.length;
    byte[] whole = segment(1, s1, s2);

    for (int keep = 1; keep < WalFormat.SECTION_HEADER_BYTES; keep++) {
      Path file = segmentDir("torn" + keep, Arrays.copyOf(whole, (int) s2Start + keep));
      List<List<Row>> seen = new ArrayList<>();
      ReplayResult result = replay(file.getParent(), false, seen);
      assertThat(seen).as("keep %d", keep).containsExactly(List.of(row("one", 1, new byte[] {1})));
      int kept = keep;
      assertThat(result.damage())
          .singleElement()
          .matches(d -> d.truncated() && d.offset() == s2Start && d.bytesDropped() == kept);
      assertThat(Files.size(file)).isEqualTo(s2Start);
    }

    for (int at = 0; at < WalFormat.SECTION_HEADER_BYTES; at++) {
      byte[] garbled = whole.clone();
      garbled[(int) s2Start + at] ^= 0x5A;
      Path tail = segmentDir("garbled-tail" + at, garbled);
      ReplayResult result = replay(tail.getParent(), false, new ArrayList<>());
      assertThat(result.damage())
          .as("header byte %d", at)
          .singleElement()
          .matches(d -> d.truncated() && d.offset() == s2Start);

      byte[] followed =
          segment(
              1,
              Arrays.copyOfRange(garbled, WalFormat.HEADER_BYTES, garbled.length),
              section(3, r3));
      Path mid = segmentDir("garbled-mid" + at, followed);
      assertThatThrownBy(() -> replay(mid.getParent(), false, new ArrayList<>()))
          .as("header byte %d", at)
          .isInstanceOfSatisfying(
              WalCorruptionException.class, e -> assertThat(e.offset()).isEqualTo(s2Start));
      List<List<Row>> skipped = new ArrayList<>();
      replay(mid.getParent(), true, skipped);
      assertThat(skipped).extracting(b -> b.get(0).key().id()).containsExactly("one", "three");
    }
  }

  @Test
  void aDamagedLastSectionIsTruncatedWholeAtEveryFlippedByte() throws Exception {
    Path pristine = root.resolve("pristine");
    List<List<Row>> batches = writeBatches(pristine, "l", 5);
    long[] offsets = sectionOffsets(batches);
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
          .as("flip at %d", at)
          .singleElement()
          .matches(
              d ->
                  d.truncated()
                      && d.offset() == offsets[last]
                      && d.bytesDropped() == offsets[last + 1] - offsets[last]);
      assertThat(Files.size(file)).isEqualTo(offsets[last]);
    }
  }

  @Test
  void aCorruptTailOfASegmentFollowedByASegmentWithSectionsIsMidLogCorruption() throws Exception {
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

    byte[] good3 = WalFormat.encodeBatch(List.of(row("c", 3, new byte[] {3})));
    Path file = dir.resolve(WalFormat.fileName(1));
    Files.write(file, segment(1, section(1, good1, undecodable.array(), good2), section(2, good3)));

    long badOffset = WalFormat.HEADER_BYTES + WalFormat.SECTION_HEADER_BYTES + good1.length;
    assertThatThrownBy(() -> replay(dir, false, new ArrayList<>()))
        .isInstanceOfSatisfying(
            WalCorruptionException.class, e -> assertThat(e.offset()).isEqualTo(badOffset))
        .hasMessageContaining("does not decode");
    List<List<Row>> seen = new ArrayList<>();
    replay(dir, true, seen);
    assertThat(seen).extracting(b -> b.get(0).key().id()).containsExactly("a", "b", "c");
  }

  @Test
  void aVersion1SegmentIsRejectedNamingTheVersionEvenWhenSkippingCorruption() throws Exception {
    byte[] v1 = WalFormat.header(1).array();
    ByteBuffer.wrap(v1).putShort(4, (short) 1);
    var crc = new CRC32C();
    crc.update(v1, 0, WalFormat.HEADER_BYTES - 4);
    ByteBuffer.wrap(v1).putInt(WalFormat.HEADER_BYTES - 4, (int) crc.getValue());
    byte[] record = WalFormat.encodeBatch(List.of(row("old", 1, new byte[] {1})));
    byte[] bytes = Arrays.copyOf(v1, v1.length + record.length);
    System.arraycopy(record, 0, bytes, v1.length, record.length);
    Path file = segmentDir("v1", bytes);

    for (boolean skipCorrupt : new boolean[] {false, true}) {
      assertThatThrownBy(() -> replay(file.getParent(), skipCorrupt, new ArrayList<>()))
          .isInstanceOf(IOException.class)
          .isNotInstanceOf(WalCorruptionException.class)
          .hasMessageContaining(file.toString())
          .hasMessageContaining("format version 1")
          .hasMessageContaining("only version 2");
    }
    assertThat(Files.readAllBytes(file)).as("left untouched").isEqualTo(bytes);
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
