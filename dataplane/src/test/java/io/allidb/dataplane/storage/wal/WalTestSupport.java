package io.allidb.dataplane.storage.wal;

import io.allidb.dataplane.storage.io.FileIo;
import io.allidb.dataplane.storage.row.Row;
import io.allidb.dataplane.storage.row.RowKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/** Shared helpers of the WAL tests. */
final class WalTestSupport {
  private WalTestSupport() {}

  /** The seed of a randomized test: -Dtests.seed if given, else fresh; printed for reproduction. */
  static long seed(String test) {
    long seed = Long.getLong("tests.seed", System.nanoTime());
    System.out.println(test + ": -Dtests.seed=" + seed);
    return seed;
  }

  static WalOptions options(DurabilityMode mode) {
    return new WalOptions(
        mode,
        Duration.ofMillis(2),
        Duration.ofMillis(20),
        64L << 20,
        1,
        FileIo.real(),
        WalListener.NONE);
  }

  static Row row(String id, long ts, byte[] value) {
    return Row.live(RowKey.of("tenant", id), ts, value);
  }

  /**
   * A batch of 1..maxRows rows with ids prefixed by {@code prefix}, values up to maxValue bytes.
   */
  static List<Row> batch(Random rnd, String prefix, int maxRows, int maxValue) {
    int n = 1 + rnd.nextInt(maxRows);
    List<Row> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      if (rnd.nextInt(10) == 0) {
        rows.add(Row.tombstone(RowKey.of("tenant", prefix + "-" + i), 1 + rnd.nextInt(1 << 30)));
      } else {
        byte[] value = new byte[rnd.nextInt(maxValue + 1)];
        rnd.nextBytes(value);
        rows.add(row(prefix + "-" + i, 1 + rnd.nextInt(1 << 30), value));
      }
    }
    return rows;
  }

  /** Every batch in the WAL directory, in log order; fails on damage of any kind. */
  static List<List<Row>> replayAll(Path dir) throws IOException {
    List<List<Row>> out = new ArrayList<>();
    WalReplayer.replay(dir, 1, FileIo.real(), false, out::add);
    return out;
  }

  static List<Path> segmentFiles(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> WalFormat.parseSeq(p) > 0).sorted().toList();
    }
  }

  /** One sync section: its header followed by the given complete records. */
  static byte[] section(long ordinal, byte[]... records) {
    var out = new ByteArrayOutputStream();
    int length = 0;
    for (byte[] r : records) {
      length += r.length;
    }
    out.writeBytes(WalFormat.sectionHeader(length, ordinal));
    for (byte[] r : records) {
      out.writeBytes(r);
    }
    return out.toByteArray();
  }

  /** A whole segment file's bytes: its header followed by the given sections. */
  static byte[] segment(long seq, byte[]... sections) {
    var out = new ByteArrayOutputStream();
    out.writeBytes(WalFormat.header(seq).array());
    for (byte[] s : sections) {
      out.writeBytes(s);
    }
    return out.toByteArray();
  }

  static void flipByte(Path file, long offset) throws IOException {
    byte[] data = Files.readAllBytes(file);
    data[(int) offset] ^= 0x5A;
    Files.write(file, data);
  }
}
