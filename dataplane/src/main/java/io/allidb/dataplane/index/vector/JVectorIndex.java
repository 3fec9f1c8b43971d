package io.allidb.dataplane.index.vector;

import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link VectorIndex} over jvector 4.x in-memory graphs, one flat Vamana graph per tenant.
 *
 * <p><b>No upper layers.</b> jvector can add HNSW-like layers over the Vamana graph, but in 4.0.2
 * they do not survive deletes: after 4,000 upserts and 400 deletes over 2,000 ids (24-d), 960 of
 * the 1,632 live vectors were not found by a search for their own vector at any beam, up to the
 * whole graph (145 with a cleanup every 10% deleted), against 0 for the flat graph ({@code
 * JVectorIndexTest#vectorsInsertedAfterDeletesStayReachable}). The likely cause is that inserts
 * descend the upper layers with beam 1 through live nodes only, so once those are deleted new nodes
 * are linked from an empty candidate list. DiskANN itself is flat, and at 20,000 128-d vectors the
 * layers bought nothing measurable here: build 17 s flat against 32 s layered (shared cores,
 * noisy), recall@10 at beam 100 0.984 against 0.987.
 *
 * <p><b>Inserts are synchronous.</b> {@link #upsert} adds the node to the graph on the caller's
 * thread and returns once jvector marked it complete, so the next search finds it
 * (read-your-writes) without a brute-force side buffer. jvector's {@code addGraphNode} is
 * lock-free, so concurrent upserts scale with cores. The price is write latency: an insert is a
 * graph search plus neighbour updates, about 3 ms of CPU for a 128-d vector in a 100K graph on JDK
 * 17 (see the rebuild figure below). An asynchronous insert queue with a scanned fresh buffer would
 * hide that from writers; it is not worth its complexity until writes are batched end to end.
 *
 * <p><b>Updates and deletes</b> map the entity to a fresh ordinal and mark the old one deleted
 * ({@code GraphIndexBuilder.markNodeDeleted}). Deleted nodes stop matching at once but stay in the
 * graph as routing points until the tenant's deleted fraction passes {@link
 * VectorIndexOptions#cleanupDeletedFraction()}; then the writer that crossed it runs jvector's
 * {@code removeDeletedNodes()}, which repairs neighbour lists and lets the vectors go. That cleanup
 * blocks the tenant (not other tenants) while it runs. {@link #cleanup(String)} forces one.
 *
 * <p><b>Filters</b> run inside the graph walk as jvector accept-bits, so rejected nodes are
 * traversed but never fill a top-k slot; when the walk still ends with fewer than {@code k} hits
 * while more live vectors exist (filters accepting very few entities), the search falls back to an
 * exact scan of the tenant with the same filter.
 *
 * <p><b>Snapshots.</b> The index lives on the heap. {@link #close(Path)} writes every tenant graph
 * to a {@link VectorSnapshotFormat} file and {@link #open(VectorIndexOptions, Path)} loads it, so a
 * restart does not re-insert every vector; {@code EntityIndexer#reconcile} then brings the loaded
 * index in line with storage. Without a usable snapshot the index is rebuilt from the storage
 * engine ({@code EntityIndexer}, which feeds {@link #upsertAll} in parallel). The rebuild figure
 * below is what a snapshot saves; load times are in ADR 0002. Measured with {@code RebuildTimeMain}
 * (test tree; the command is in its Javadoc) on the 2-core test machine, JDK 17 (scalar jvector),
 * defaults (M=32, construction beam 100, no hierarchy), while other builds shared the cores (load
 * average about 4): 100,000 clustered 128-d vectors in one tenant took <b>156 s (641
 * vectors/s)</b>; recall@10 against brute force was then 0.939 / 0.959 / 0.977 at search beam 50 /
 * 100 / 200, at 2.4 / 3.0 / 5.1 ms per query on one cold thread. A node with a million vectors
 * would spend about half an hour rebuilding.
 *
 * <p>Thread-safe; see {@link VectorIndex} for the visibility guarantees. Papers: see {@code
 * package-info}.
 */
public final class JVectorIndex implements VectorIndex {
  private static final Logger logger = LoggerFactory.getLogger(JVectorIndex.class);
  private static final VectorTypeSupport VECTORS =
      VectorizationProvider.getInstance().getVectorTypeSupport();

  private final VectorIndexOptions options;
  private final ConcurrentHashMap<String, TenantGraph> tenants = new ConcurrentHashMap<>();
  private volatile boolean closed;

  public JVectorIndex(VectorIndexOptions options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  /**
   * An index holding the graphs of a snapshot {@link #close(Path)} wrote, or an empty one when
   * there is no snapshot or it cannot be used (damaged, incomplete, other options); that is logged
   * and the caller's reconcile then rebuilds everything. Never fails for a bad snapshot: it is a
   * cache of storage.
   */
  public static JVectorIndex open(VectorIndexOptions options, Path snapshot) {
    var index = new JVectorIndex(options);
    long start = System.nanoTime();
    try {
      Map<String, TenantGraph> graphs = VectorSnapshots.read(snapshot, options);
      index.tenants.putAll(graphs);
      if (!graphs.isEmpty()) {
        logger.info(
            "loaded vector index snapshot {} in {} ms: {} tenants, {} vectors",
            snapshot,
            (System.nanoTime() - start) / 1_000_000,
            graphs.size(),
            graphs.values().stream().mapToLong(TenantGraph::size).sum());
      }
    } catch (IOException | RuntimeException e) {
      logger.warn(
          "vector index snapshot {} not usable, rebuilding the index from storage: {}",
          snapshot,
          e.toString());
    }
    return index;
  }

  /**
   * Writes a snapshot of every tenant graph to {@code snapshot} (atomically replacing the old one)
   * and closes the index. Writes must have stopped. When writing fails the old snapshot file is
   * left as it was (the next start reconciles from it, or rebuilds) and the error is thrown after
   * the index is closed.
   */
  public void close(Path snapshot) throws IOException {
    long start = System.nanoTime();
    try {
      checkOpen();
      VectorSnapshots.write(snapshot, tenants.values());
      logger.info(
          "wrote vector index snapshot {} in {} ms",
          snapshot,
          (System.nanoTime() - start) / 1_000_000);
    } finally {
      close();
    }
  }

  public VectorIndexOptions options() {
    return options;
  }

  @Override
  public void upsert(String tenant, String entityId, float[] vector) {
    checkOpen();
    Objects.requireNonNull(entityId, "entityId");
    TenantGraph existing = tenants.get(Objects.requireNonNull(tenant, "tenant"));
    float[] v = toVector(tenant, vector, existing == null ? -1 : existing.dimension());
    TenantGraph graph =
        existing != null
            ? existing
            : tenants.computeIfAbsent(tenant, t -> new TenantGraph(t, vector.length, options));
    if (graph.dimension() != vector.length) {
      // another thread's first vector fixed a different dimension meanwhile
      throw dimensionMismatch(tenant, graph.dimension(), vector.length);
    }
    graph.upsert(entityId, v);
  }

  /** Upserts in parallel on the common fork-join pool plus the calling thread. */
  @Override
  public void upsertAll(Collection<VectorRecord> records) {
    records.parallelStream().forEach(r -> upsert(r.tenant(), r.entityId(), r.vector()));
  }

  @Override
  public void delete(String tenant, String entityId) {
    checkOpen();
    TenantGraph graph = tenants.get(tenant);
    if (graph != null) {
      graph.delete(entityId);
    }
  }

  @Override
  public List<VectorHit> search(
      String tenant, float[] query, int k, int beamWidth, Predicate<String> acceptEntity) {
    checkOpen();
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1; got " + k);
    }
    if (beamWidth < 0) {
      throw new IllegalArgumentException("beamWidth must not be negative; got " + beamWidth);
    }
    TenantGraph graph = tenants.get(tenant);
    if (graph == null) {
      toVector(tenant, query, -1);
      return List.of();
    }
    VectorFloat<?> q = VECTORS.createFloatVector(toVector(tenant, query, graph.dimension()));
    int beam = beamWidth == 0 ? options.searchBeamWidth() : beamWidth;
    return graph.search(q, k, beam, acceptEntity);
  }

  @Override
  public float[] vector(String tenant, String entityId) {
    TenantGraph graph = tenants.get(tenant);
    return graph == null ? null : graph.vector(entityId);
  }

  @Override
  public Set<String> tenants() {
    return Set.copyOf(tenants.keySet());
  }

  @Override
  public Set<String> entityIds(String tenant) {
    TenantGraph graph = tenants.get(tenant);
    return graph == null ? Set.of() : graph.entityIds();
  }

  @Override
  public OptionalInt dimension(String tenant) {
    TenantGraph graph = tenants.get(tenant);
    return graph == null ? OptionalInt.empty() : OptionalInt.of(graph.dimension());
  }

  @Override
  public int size(String tenant) {
    TenantGraph graph = tenants.get(tenant);
    return graph == null ? 0 : graph.size();
  }

  /**
   * Removes the tenant's deleted and replaced nodes from its graph now instead of waiting for the
   * {@linkplain VectorIndexOptions#cleanupDeletedFraction() threshold}. Blocks the tenant's writes
   * and searches while it runs.
   */
  public void cleanup(String tenant) {
    checkOpen();
    TenantGraph graph = tenants.get(tenant);
    if (graph != null) {
      graph.cleanup(true);
    }
  }

  /** Deleted or replaced nodes still in the tenant's graph, awaiting cleanup. */
  int pendingDeletes(String tenant) {
    TenantGraph graph = tenants.get(tenant);
    return graph == null ? 0 : graph.pendingDeletes();
  }

  @Override
  public void close() {
    closed = true;
    tenants.values().forEach(TenantGraph::close);
    tenants.clear();
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("vector index is closed");
    }
  }

  /**
   * Validates and copies a vector.
   *
   * @param expected the tenant's dimension, or -1 when it has none yet
   */
  private float[] toVector(String tenant, float[] vector, int expected) {
    String want = expected < 0 ? "any" : Integer.toString(expected);
    if (vector == null || vector.length == 0) {
      throw new IllegalArgumentException(
          "tenant '" + tenant + "': vector is empty; expected dimension " + want + ", got 0");
    }
    if (expected >= 0 && vector.length != expected) {
      throw dimensionMismatch(tenant, expected, vector.length);
    }
    boolean allZero = true;
    for (int i = 0; i < vector.length; i++) {
      float x = vector[i];
      if (!Float.isFinite(x)) {
        throw new IllegalArgumentException(
            "tenant '"
                + tenant
                + "': vector element "
                + i
                + " is "
                + x
                + "; expected dimension "
                + want
                + ", got "
                + vector.length);
      }
      allZero &= x == 0f;
    }
    if (allZero && options.metric() == VectorMetric.COSINE) {
      throw new IllegalArgumentException(
          "tenant '"
              + tenant
              + "': an all-zero vector has no cosine similarity; expected dimension "
              + want
              + ", got "
              + vector.length);
    }
    return vector.clone();
  }

  private static IllegalArgumentException dimensionMismatch(
      String tenant, int expected, int actual) {
    return new IllegalArgumentException(
        "tenant '"
            + tenant
            + "': vector dimension mismatch; expected dimension "
            + expected
            + ", got "
            + actual);
  }
}
