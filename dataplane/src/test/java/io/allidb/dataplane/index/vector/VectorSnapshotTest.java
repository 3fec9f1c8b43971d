package io.allidb.dataplane.index.vector;

import static io.allidb.dataplane.index.vector.TestVectors.id;
import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.dataplane.testing.Seeds;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link JVectorIndex#close(Path)} and {@link JVectorIndex#open}: a snapshot brings back the same
 * vectors and graph (searches answer identically), the loaded graph keeps taking writes, and a
 * damaged, truncated or incompatible snapshot yields an empty index (the caller rebuilds), never
 * wrong results.
 */
class VectorSnapshotTest {
  private static final int DIM = 16;

  @TempDir Path dir;

  @Test
  void snapshotRoundTripAnswersSearchesIdenticallyAndKeepsTakingWrites() throws Exception {
    var rnd =
        new Random(Seeds.seed("snapshotRoundTripAnswersSearchesIdenticallyAndKeepsTakingWrites"));
    Path file = dir.resolve(VectorSnapshotFormat.FILE_NAME);
    float[][] base = TestVectors.gaussian(rnd, 2_000, DIM);
    float[][] queries = TestVectors.gaussian(rnd, 50, DIM);
    var before = new JVectorIndex(VectorIndexOptions.defaults());
    before.upsertAll(TestVectors.records("a", base));
    before.upsertAll(TestVectors.records("b", TestVectors.gaussian(rnd, 100, 4)));
    for (int i = 0; i < 2_000; i += 7) {
      before.delete("a", id(i));
    }
    for (int i = 1; i < 2_000; i += 13) {
      base[i] = TestVectors.gaussian(rnd, 1, DIM)[0];
      before.upsert("a", id(i), base[i]); // replaced ordinals
    }
    // Saving removes deleted nodes first, which repairs neighbour lists and so can change an
    // approximate answer; remove them now so that "expected" comes from the graph that is saved.
    before.cleanup("a");
    var expected = searchAll(before, queries);
    var ids = before.entityIds("a");
    before.close(file);

    var after = JVectorIndex.open(VectorIndexOptions.defaults(), file);
    try {
      assertThat(after.tenants()).containsExactlyInAnyOrder("a", "b");
      assertThat(after.entityIds("a")).isEqualTo(ids);
      assertThat(after.size("b")).isEqualTo(100);
      assertThat(after.vector("a", id(1))).containsExactly(base[1]);
      assertThat(searchAll(after, queries)).isEqualTo(expected);

      after.upsert("a", "new", queries[0]);
      after.delete("a", id(2));
      assertThat(after.search("a", queries[0], 1, 50, null).get(0).entityId()).isEqualTo("new");
      assertThat(after.search("a", base[2], 10, 50, null))
          .extracting(VectorHit::entityId)
          .doesNotContain(id(2));
    } finally {
      after.close();
    }
  }

  @Test
  void aMissingSnapshotGivesAnEmptyIndex() {
    try (var index = JVectorIndex.open(VectorIndexOptions.defaults(), dir.resolve("none"))) {
      assertThat(index.tenants()).isEmpty();
    }
  }

  @Test
  void aDamagedTruncatedOrIncompatibleSnapshotGivesAnEmptyIndex() throws Exception {
    long seed = Seeds.seed("aDamagedTruncatedOrIncompatibleSnapshotGivesAnEmptyIndex");
    var rnd = new Random(seed);
    Path good = dir.resolve("good");
    var index = new JVectorIndex(VectorIndexOptions.defaults());
    index.upsertAll(TestVectors.records("a", TestVectors.gaussian(rnd, 500, DIM)));
    index.close(good);
    long size = Files.size(good);

    for (int trial = 0; trial < 20; trial++) {
      Path bad = dir.resolve("flipped-" + trial);
      Files.copy(good, bad);
      long at = (long) (rnd.nextDouble() * size);
      flipByte(bad, at);
      assertEmpty(bad, "byte " + at + " flipped, seed " + seed);
    }
    Path truncated = dir.resolve("truncated");
    Files.copy(good, truncated);
    try (var ch = FileChannel.open(truncated, StandardOpenOption.WRITE)) {
      ch.truncate(size - 5); // cuts into the END section
    }
    assertEmpty(truncated, "truncated");

    var otherMetric = VectorIndexOptions.builder().metric(VectorMetric.EUCLIDEAN).build();
    try (var loaded = JVectorIndex.open(otherMetric, good)) {
      assertThat(loaded.tenants()).as("other metric").isEmpty();
    }
    try (var loaded = JVectorIndex.open(VectorIndexOptions.defaults(), good)) {
      assertThat(loaded.size("a")).as("the good file").isEqualTo(500);
    }
  }

  private static void assertEmpty(Path file, String what) {
    try (var loaded = JVectorIndex.open(VectorIndexOptions.defaults(), file)) {
      assertThat(loaded.tenants()).as(what).isEmpty();
    }
  }

  private static void flipByte(Path file, long at) throws IOException {
    try (var ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      var b = java.nio.ByteBuffer.allocate(1);
      ch.read(b, at);
      b.put(0, (byte) (b.get(0) ^ 0x5A)).rewind();
      ch.write(b, at);
    }
  }

  private static List<List<VectorHit>> searchAll(JVectorIndex index, float[][] queries) {
    var out = new ArrayList<List<VectorHit>>();
    for (float[] q : queries) {
      out.add(index.search("a", q, 10, 40, null));
    }
    return out;
  }
}
