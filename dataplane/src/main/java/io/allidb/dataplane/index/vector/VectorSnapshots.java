package io.allidb.dataplane.index.vector;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes and reads {@link VectorSnapshotFormat} files for {@link JVectorIndex}. Writing goes to a
 * temporary file that is fsynced and then renamed over the old snapshot, so a crash while writing
 * leaves the previous snapshot (or none), never a torn one under the real name.
 */
final class VectorSnapshots {
  private static final Logger logger = LoggerFactory.getLogger(VectorSnapshots.class);

  private VectorSnapshots() {}

  /** Writes every graph to {@code file}, replacing it atomically. */
  static void write(Path file, Collection<TenantGraph> graphs) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    int tenants = 0;
    try (FileChannel ch =
            FileChannel.open(
                tmp,
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        var w = new VectorSnapshotFormat.Writer(ch)) {
      for (TenantGraph g : graphs) {
        if (g.size() > 0) {
          g.writeSnapshot(w);
          tenants++;
        }
      }
      w.beginSection(VectorSnapshotFormat.END).writeInt(tenants);
      w.endSection();
      w.close();
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
      dir.force(true); // make the rename durable
    }
  }

  /**
   * Reads a snapshot written with the same index options.
   *
   * @return the tenant graphs, empty when there is no snapshot file
   * @throws VectorSnapshotFormat.InvalidSnapshotException when the file is damaged, incomplete or
   *     was written with other options
   */
  static Map<String, TenantGraph> read(Path file, VectorIndexOptions options) throws IOException {
    var graphs = new LinkedHashMap<String, TenantGraph>();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      var r = new VectorSnapshotFormat.Reader(ch);
      while (r.peekType() == VectorSnapshotFormat.TENANT) {
        TenantGraph g = readTenant(r, options);
        graphs.put(g.tenant(), g);
      }
      int tenants = r.nextSection(VectorSnapshotFormat.END).getInt();
      if (tenants != graphs.size()) {
        throw new VectorSnapshotFormat.InvalidSnapshotException(
            "END names " + tenants + " tenants, read " + graphs.size());
      }
      return graphs;
    } catch (NoSuchFileException e) {
      return Map.of();
    } catch (IOException | RuntimeException e) {
      graphs.values().forEach(TenantGraph::close);
      throw e;
    }
  }

  private static TenantGraph readTenant(VectorSnapshotFormat.Reader r, VectorIndexOptions options)
      throws IOException {
    ByteBuffer head = r.nextSection(VectorSnapshotFormat.TENANT);
    String tenant = VectorSnapshotFormat.readString(head);
    String metric = VectorSnapshotFormat.readString(head);
    int dimension = head.getInt();
    int maxDegree = head.getInt();
    int beam = head.getInt();
    float overflow = head.getFloat();
    float alpha = head.getFloat();
    int live = head.getInt();
    int nextOrdinal = head.getInt();
    if (!metric.equals(options.metric().name())
        || maxDegree != options.maxDegree()
        || beam != options.constructionBeamWidth()
        || overflow != options.neighborOverflow()
        || alpha != options.alpha()) {
      // a graph built for another metric would rank wrongly; other parameters would only differ
      // in quality, but the operator changed them to get that quality
      throw new VectorSnapshotFormat.InvalidSnapshotException(
          "tenant "
              + tenant
              + " was built with other options ("
              + metric
              + ", M="
              + maxDegree
              + ", beam "
              + beam
              + ", overflow "
              + overflow
              + ", alpha "
              + alpha
              + ")");
    }
    var store = new VectorStore(dimension);
    var ordinals = new HashMap<String, Integer>(live * 2);
    while (r.peekType() == VectorSnapshotFormat.VECTORS) {
      ByteBuffer in = r.nextSection(VectorSnapshotFormat.VECTORS);
      int n = in.getInt();
      for (int i = 0; i < n; i++) {
        int ordinal = in.getInt();
        String id = VectorSnapshotFormat.readString(in);
        float[] v = new float[dimension];
        in.asFloatBuffer().get(v);
        in.position(in.position() + 4 * dimension);
        if (ordinal < 0 || ordinal >= nextOrdinal || ordinals.put(id, ordinal) != null) {
          throw new VectorSnapshotFormat.InvalidSnapshotException(
              "tenant " + tenant + ": bad ordinal " + ordinal + " or duplicate id " + id);
        }
        store.set(ordinal, TenantGraph.slot(id, v));
      }
    }
    if (ordinals.size() != live) {
      throw new VectorSnapshotFormat.InvalidSnapshotException(
          "tenant " + tenant + ": " + ordinals.size() + " vectors, header says " + live);
    }
    ByteBuffer graph = r.nextSection(VectorSnapshotFormat.GRAPH);
    logger.debug("tenant {}: loading a graph of {} vectors from the snapshot", tenant, live);
    return TenantGraph.restore(tenant, options, store, ordinals, nextOrdinal, graph);
  }
}
