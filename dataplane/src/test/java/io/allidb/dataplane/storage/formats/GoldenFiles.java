package io.allidb.dataplane.storage.formats;

import io.allidb.api.proto.Entity;
import io.allidb.api.proto.GraphEdge;
import io.allidb.api.proto.TextChunk;
import io.allidb.api.proto.VectorEmbedding;
import io.allidb.dataplane.cluster.gossip.RingIdentity;
import io.allidb.dataplane.cluster.gossip.RingIdentityFormat;
import io.allidb.dataplane.cluster.hints.HintFormat;
import io.allidb.dataplane.cluster.proto.NodeStatus;
import io.allidb.dataplane.cluster.repair.MerkleTree;
import io.allidb.dataplane.cluster.repair.MerkleTreeFormat;
import io.allidb.dataplane.cluster.ring.Murmur3Partitioner;
import io.allidb.dataplane.cluster.ring.TokenRange;
import io.allidb.dataplane.index.vector.JVectorIndex;
import io.allidb.dataplane.index.vector.VectorIndexOptions;
import io.allidb.dataplane.index.vector.VectorSnapshotFormat;
import io.allidb.dataplane.storage.EntityCodec;
import io.allidb.dataplane.storage.io.FileIo;
import io.allidb.dataplane.storage.manifest.Manifest;
import io.allidb.dataplane.storage.manifest.ManifestState;
import io.allidb.dataplane.storage.row.Row;
import io.allidb.dataplane.storage.row.RowKey;
import io.allidb.dataplane.storage.sstable.SSTableWriter;
import io.allidb.dataplane.storage.wal.DurabilityMode;
import io.allidb.dataplane.storage.wal.WalOptions;
import io.allidb.dataplane.storage.wal.WalWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the golden files that {@link FormatCompatibilityTest} reads back: one small file per
 * released format version, under {@code dataplane/src/test/resources/formats/<format>/v<N>/}.
 *
 * <p>Run it only when a format version is added (never to "fix" a failing compatibility test):
 * {@code ./mvnw -pl dataplane test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.allidb.dataplane.storage.formats.GoldenFiles -Dexec.args=<resources dir>}.
 * Existing version directories are never overwritten.
 */
public final class GoldenFiles {
  static final long T0 = 1_764_000_000_000_000L; // 2025-11-24, fixed so files are reproducible

  private GoldenFiles() {}

  /** The rows every golden file holds, sorted by key. */
  static List<Row> rows() {
    var acme = "acme";
    return List.of(
        Row.live(RowKey.of(acme, "a"), T0 + 1, value(acme, "a", "first document")),
        Row.tombstone(RowKey.of(acme, "b"), T0 + 2),
        new Row(
            RowKey.of(acme, "c"), T0 + 3, false, T0 + 3_600_000_000L, value(acme, "c", "expiring")),
        Row.live(RowKey.of(acme, "ünï-çødé"), T0 + 4, value(acme, "ünï-çødé", "unicode id")),
        Row.live(RowKey.of("beta", "a"), T0 + 5, value("beta", "a", "other tenant")));
  }

  static final String HINT_HOST = "node-2.example";
  static final String HINT_FILE = HINT_HOST + "-00000000000000000001.hints";

  /** The hints of the golden hint file: every golden row, hinted one second apart from T0. */
  static List<HintFormat.Hint> hints() {
    var out = new ArrayList<HintFormat.Hint>();
    var rows = rows();
    for (int i = 0; i < rows.size(); i++) {
      out.add(new HintFormat.Hint(T0 + i * 1_000_000L, rows.get(i)));
    }
    return out;
  }

  /** The identity of the golden ring identity file. */
  static RingIdentity ringIdentity() {
    return new RingIdentity(
        "node-3.example",
        NodeStatus.NORMAL,
        List.of(Long.MIN_VALUE + 1, -4_611_686_018_427_387_904L, 0L, 4_611_686_018_427_387_904L),
        7);
  }

  private static byte[] value(String tenant, String id, String text) {
    return EntityCodec.encode(
        Entity.newBuilder()
            .setEntityId(id)
            .setTenantId(tenant)
            .setEntityType("document")
            .addEmbeddings(
                VectorEmbedding.newBuilder().setVersion(1).addVector(0.25f).addVector(-1f))
            .addOutgoingEdges(
                GraphEdge.newBuilder()
                    .setFromEntity(id)
                    .setToEntity("z")
                    .setRelation("cites")
                    .setWeight(0.5))
            .addChunks(
                TextChunk.newBuilder()
                    .setChunkId(id + "#0")
                    .setText(text)
                    .putMetadata("b", "2")
                    .putMetadata("a", "1"))
            .setImportance(0.75)
            .build());
  }

  static final String MERKLE_FILE = "tree.merkle";

  /** The golden Merkle tree: {@link #rows()} over the whole ring at depth 4. */
  static MerkleTree merkleTree() {
    var tree = new MerkleTree(TokenRange.fullRing(), 4);
    for (Row r : rows()) {
      tree.add(Murmur3Partitioner.token(r.key().tenant(), r.key().id()), r);
    }
    return tree;
  }

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args.length > 0 ? args[0] : "dataplane/src/test/resources/formats");
    Path sst = root.resolve("sstable/v1");
    if (!Files.exists(sst)) {
      Files.createDirectories(sst);
      try (var w = SSTableWriter.create(sst, 1, 512, 10, 10, FileIo.real())) {
        for (Row r : rows()) {
          w.add(r);
        }
        w.finish().unref();
      }
    }
    Path manifest = root.resolve("manifest/v1");
    if (!Files.exists(manifest)) {
      Files.createDirectories(manifest);
      Manifest.write(manifest, FileIo.real(), new ManifestState(7, 3, T0 + 5, List.of(1L, 4L, 6L)));
    }
    Path hints = root.resolve("hints/v" + HintFormat.VERSION);
    if (!Files.exists(hints)) {
      Files.createDirectories(hints);
      Files.write(hints.resolve(HINT_FILE), HintFormat.encode(HINT_HOST, hints()));
    }
    Path wal = root.resolve("wal/v" + io.allidb.dataplane.storage.wal.WalFormat.VERSION);
    if (!Files.exists(wal)) {
      Files.createDirectories(wal);
      try (var w = WalWriter.open(wal, WalOptions.defaults(DurabilityMode.SYNC))) {
        var rows = rows();
        w.awaitDurable(w.append(rows.subList(0, 2)));
        w.awaitDurable(w.append(rows.subList(2, rows.size())));
      }
    }
    Path ring = root.resolve("ring-identity/v" + RingIdentityFormat.VERSION);
    if (!Files.exists(ring)) {
      Files.createDirectories(ring);
      RingIdentityFormat.write(ring, ringIdentity());
    }
    Path merkle = root.resolve("merkle/v" + MerkleTreeFormat.VERSION);
    if (!Files.exists(merkle)) {
      Files.createDirectories(merkle);
      Files.write(merkle.resolve(MERKLE_FILE), MerkleTreeFormat.encode(merkleTree()));
    }
    Path snapshot = root.resolve("vector-snapshot/v" + VectorSnapshotFormat.VERSION_CURRENT);
    if (!Files.exists(snapshot)) {
      Files.createDirectories(snapshot);
      var index = new JVectorIndex(VectorIndexOptions.defaults());
      snapshotVectors(index::upsert); // one thread: the same graph on every run
      index.close(snapshot.resolve(VectorSnapshotFormat.FILE_NAME));
    }
  }

  /** What the vector snapshot golden file holds, as (tenant, entity id, vector) calls. */
  static void snapshotVectors(SnapshotEntry consumer) {
    for (String tenant : List.of("acme", "beta")) {
      for (int i = 0; i < 40; i++) {
        float[] v = new float[4];
        for (int d = 0; d < v.length; d++) {
          v[d] = (float) Math.sin(i * 0.7 + d * 1.3 + tenant.length());
        }
        consumer.accept(tenant, tenant + "-" + i, v);
      }
    }
  }

  /** Receives one vector of {@link #snapshotVectors}. */
  @FunctionalInterface
  interface SnapshotEntry {
    void accept(String tenant, String entityId, float[] vector);
  }
}
