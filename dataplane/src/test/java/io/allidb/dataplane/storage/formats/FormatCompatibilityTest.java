package io.allidb.dataplane.storage.formats;

import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.dataplane.cluster.gossip.RingIdentityFormat;
import io.allidb.dataplane.cluster.hints.HintFormat;
import io.allidb.dataplane.cluster.repair.MerkleTree;
import io.allidb.dataplane.cluster.repair.MerkleTreeFormat;
import io.allidb.dataplane.index.vector.JVectorIndex;
import io.allidb.dataplane.index.vector.VectorIndexOptions;
import io.allidb.dataplane.index.vector.VectorSnapshotFormat;
import io.allidb.dataplane.storage.io.FileIo;
import io.allidb.dataplane.storage.manifest.Manifest;
import io.allidb.dataplane.storage.manifest.ManifestState;
import io.allidb.dataplane.storage.row.Row;
import io.allidb.dataplane.storage.row.RowIterator;
import io.allidb.dataplane.storage.sstable.SSTableReader;
import io.allidb.dataplane.storage.wal.WalFormat;
import io.allidb.dataplane.storage.wal.WalReplayer;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every released on-disk format version stays readable: the golden files written by {@link
 * GoldenFiles} when the version was introduced are read back and must hold exactly the expected
 * rows. A failure here means a change broke compatibility with data on users' disks.
 */
class FormatCompatibilityTest {
  @TempDir Path tmp;

  @Test
  void sstableVersion1IsReadable() throws Exception {
    Path dir = copy("sstable/v1");
    Path file;
    try (Stream<Path> s = Files.list(dir)) {
      file = s.filter(p -> p.toString().endsWith(".db")).findFirst().orElseThrow();
    }
    SSTableReader reader = SSTableReader.open(file, FileIo.real());
    try {
      var rows = new ArrayList<Row>();
      try (RowIterator it = reader.iterator(null, null)) {
        while (it.hasNext()) {
          rows.add(it.next());
        }
      }
      assertThat(rows).isEqualTo(GoldenFiles.rows());
      for (Row r : GoldenFiles.rows()) {
        assertThat(reader.get(r.key())).contains(r);
      }
      assertThat(reader.properties().tombstoneCount()).isEqualTo(1);
    } finally {
      reader.unref();
    }
  }

  @Test
  void manifestVersion1IsReadable() throws Exception {
    ManifestState state = Manifest.load(copy("manifest/v1"), FileIo.real()).orElseThrow();
    assertThat(state).isEqualTo(new ManifestState(7, 3, GoldenFiles.T0 + 5, List.of(1L, 4L, 6L)));
  }

  @Test
  void walIsReadableAtEveryReleasedVersion() throws Exception {
    for (String version : List.of("v" + WalFormat.VERSION)) {
      var batches = new ArrayList<List<Row>>();
      var result =
          WalReplayer.replay(copy("wal/" + version), 1, FileIo.real(), false, batches::add);
      assertThat(result.damage()).isEmpty();
      var expected = GoldenFiles.rows();
      assertThat(batches)
          .as("WAL %s", version)
          .containsExactly(expected.subList(0, 2), expected.subList(2, expected.size()));
    }
  }

  @Test
  void vectorSnapshotVersion1IsReadable() throws Exception {
    Path file = copy("vector-snapshot/v1").resolve(VectorSnapshotFormat.FILE_NAME);
    try (var index = JVectorIndex.open(VectorIndexOptions.defaults(), file)) {
      assertThat(index.tenants()).containsExactlyInAnyOrder("acme", "beta");
      GoldenFiles.snapshotVectors(
          (tenant, id, v) -> {
            assertThat(index.vector(tenant, id)).as(id).containsExactly(v);
            assertThat(index.search(tenant, v, 1, 40, null).get(0).entityId()).isEqualTo(id);
          });
      assertThat(index.size("acme")).isEqualTo(40);
      // still a live graph: takes writes after loading
      index.upsert("acme", "new", new float[] {1, 2, 3, 4});
      assertThat(index.size("acme")).isEqualTo(41);
    }
  }

  @Test
  void hintVersion1IsReadable() throws Exception {
    Path file = copy("hints/v1").resolve(GoldenFiles.HINT_FILE);
    var contents = HintFormat.decode(file, Files.readAllBytes(file), GoldenFiles.HINT_HOST);
    assertThat(contents.corruption()).isEmpty();
    assertThat(contents.tornTailBytes()).isZero();
    assertThat(contents.hints()).isEqualTo(GoldenFiles.hints());
  }

  @Test
  void ringIdentityVersion1IsReadable() throws Exception {
    assertThat(RingIdentityFormat.load(copy("ring-identity/v1")))
        .contains(GoldenFiles.ringIdentity());
  }

  @Test
  void merkleTreeVersion1IsReadable() throws Exception {
    Path file = copy("merkle/v1").resolve(GoldenFiles.MERKLE_FILE);
    MerkleTree tree = MerkleTreeFormat.decode(Files.readAllBytes(file));
    // equal leaves mean row digests are unchanged: replicas on two versions compare trees
    assertThat(tree).isEqualTo(GoldenFiles.merkleTree());
    assertThat(tree.rows()).isEqualTo(GoldenFiles.rows().size());
    assertThat(tree.root()).isEqualTo(GoldenFiles.merkleTree().root());
  }

  private Path copy(String resource) throws Exception {
    Path src = resourceDir(resource);
    Path dst = tmp.resolve(resource);
    Files.createDirectories(dst);
    try (Stream<Path> s = Files.list(src)) {
      for (Path p : s.toList()) {
        Files.copy(p, dst.resolve(p.getFileName()));
      }
    }
    return dst;
  }

  private static Path resourceDir(String resource) throws URISyntaxException {
    var url = FormatCompatibilityTest.class.getResource("/formats/" + resource);
    assertThat(url).as("golden files for %s", resource).isNotNull();
    return Path.of(url.toURI());
  }
}
