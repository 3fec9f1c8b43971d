package io.allidb.dataplane.index.vector;

import io.github.jbellis.jvector.disk.ByteBufferReader;
import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.OnHeapGraphIndex;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One tenant's jvector graph, its vectors and the ordinal-to-entity mapping.
 *
 * <p><b>Ordinals.</b> Every upsert takes a fresh ordinal; ordinals are never reused while the graph
 * lives. {@code ordinalByEntity} names the one current ordinal of each entity, and the accept-bits
 * of every search check it, so a replaced or deleted ordinal is invisible the moment the map
 * changes, before jvector's own delete mark lands.
 *
 * <p><b>Locking.</b> Upserts, deletes and searches share the read lock and run concurrently
 * (jvector's {@code addGraphNode} is lock-free). Cleanup ({@code removeDeletedNodes}) is not safe
 * against concurrent inserts or searches, so it takes the write lock.
 *
 * <p><b>Searchers are pooled.</b> A {@link GraphSearcher} owns its visited set and candidate heaps,
 * which grow to the graph's working set; building one per query cost about 15-20 % of a search at
 * 60K vectors (docs/benchmarks.md). A search borrows one from {@code searchers}, points it at a
 * fresh view of the graph ({@code setView(getView())}: a view only records jvector's completion
 * clock, so every node inserted before the search started is reachable, as with a new searcher),
 * and returns it. The pool holds at most one searcher per concurrent search that ever ran, capped
 * at {@link #MAX_POOLED_SEARCHERS}.
 *
 * <p><b>Accept bits.</b> Without a filter a search passes {@code Bits.ALL}: jvector intersects the
 * accept bits with its own live-node bits, and every replaced or deleted ordinal is marked deleted
 * in the graph before {@code upsert}/{@code delete} returns. An update briefly has both ordinals
 * live (new inserted, old not yet marked), so hits are de-duplicated by entity.
 */
final class TenantGraph implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(TenantGraph.class);
  private static final VectorTypeSupport VECTORS =
      VectorizationProvider.getInstance().getVectorTypeSupport();
  private static final int MAX_POOLED_SEARCHERS =
      Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
  private static final Comparator<VectorHit> BEST_FIRST =
      Comparator.comparing(VectorHit::similarity).reversed().thenComparing(VectorHit::entityId);

  private final String tenant;
  private final int dimension;
  private final VectorIndexOptions options;
  private final VectorSimilarityFunction function;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final ConcurrentHashMap<String, Integer> ordinalByEntity = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Integer> deleted = new ConcurrentLinkedQueue<>();
  private final AtomicInteger deletedCount = new AtomicInteger();
  private final AtomicInteger nextOrdinal = new AtomicInteger();
  // searchers over the current builder's graph; emptied whenever the graph is replaced
  private final ConcurrentLinkedQueue<GraphSearcher> searchers = new ConcurrentLinkedQueue<>();
  private final AtomicInteger pooledSearchers = new AtomicInteger();

  // replaced only under the write lock
  private VectorStore store;
  private GraphIndexBuilder builder;

  TenantGraph(String tenant, int dimension, VectorIndexOptions options) {
    this.tenant = tenant;
    this.dimension = dimension;
    this.options = options;
    this.function = options.metric().function();
    newGraph(new VectorStore(dimension));
  }

  /**
   * A graph restored from a snapshot: the vectors by ordinal, the entity-to-ordinal map, and the
   * graph as {@code OnHeapGraphIndex.save} wrote it.
   *
   * @throws IOException when the graph does not load or does not match the vectors
   */
  static TenantGraph restore(
      String tenant,
      VectorIndexOptions options,
      VectorStore store,
      Map<String, Integer> ordinals,
      int nextOrdinal,
      ByteBuffer graph)
      throws IOException {
    var g = new TenantGraph(tenant, store.dimension(), options);
    g.closeBuilder(); // the empty one the constructor made
    g.newGraph(store);
    g.ordinalByEntity.putAll(ordinals);
    g.nextOrdinal.set(nextOrdinal);
    g.builder.load(new ByteBufferReader(graph));
    var loaded = g.builder.getGraph();
    if (loaded.size() != ordinals.size()
        || loaded.getIdUpperBound() > nextOrdinal
        || !ordinals.values().stream().allMatch(o -> loaded.containsNode(o))) {
      throw new VectorSnapshotFormat.InvalidSnapshotException(
          "tenant "
              + tenant
              + ": graph of "
              + loaded.size()
              + " nodes does not match "
              + ordinals.size()
              + " vectors");
    }
    return g;
  }

  private void newGraph(VectorStore vectors) {
    store = vectors;
    builder =
        new GraphIndexBuilder(
            BuildScoreProvider.randomAccessScoreProvider(store, function),
            dimension,
            options.maxDegree(),
            options.constructionBeamWidth(),
            options.neighborOverflow(),
            options.alpha(),
            // No hierarchy: with upper layers and deletes, jvector 4.0.2 left most vectors
            // unreachable in our tests (see JVectorIndex); the flat Vamana graph loses none.
            false,
            false);
  }

  int dimension() {
    return dimension;
  }

  String tenant() {
    return tenant;
  }

  /** A store slot for a vector this graph will own. */
  static VectorStore.Slot slot(String entityId, float[] values) {
    return new VectorStore.Slot(entityId, VECTORS.createFloatVector(values), values);
  }

  int size() {
    return ordinalByEntity.size();
  }

  /** The entity's current vector (the graph's own array: read only), or null. */
  float[] vector(String entityId) {
    Integer ordinal = ordinalByEntity.get(entityId);
    VectorStore.Slot s = ordinal == null ? null : store.get(ordinal);
    // null when a concurrent delete's cleanup freed the slot between the two reads
    return s == null ? null : s.values();
  }

  /** A copy of the ids of the entities that have a vector here. */
  Set<String> entityIds() {
    return Set.copyOf(ordinalByEntity.keySet());
  }

  int pendingDeletes() {
    return deletedCount.get();
  }

  /**
   * @param values the vector, owned by this graph from now on (never modified, handed out by {@link
   *     #vector})
   */
  void upsert(String entityId, float[] values) {
    VectorFloat<?> vector = VECTORS.createFloatVector(values);
    lock.readLock().lock();
    try {
      int ordinal = nextOrdinal.getAndIncrement();
      store.set(ordinal, new VectorStore.Slot(entityId, vector, values));
      // Synchronous insert: once it returns the node is complete, so every searcher view
      // created afterwards can reach it (read-your-writes without a side buffer).
      builder.addGraphNode(ordinal, vector);
      Integer previous = ordinalByEntity.put(entityId, ordinal);
      if (previous != null) {
        markDeleted(previous);
      }
    } finally {
      lock.readLock().unlock();
    }
    maybeCleanup();
  }

  void delete(String entityId) {
    lock.readLock().lock();
    try {
      Integer previous = ordinalByEntity.remove(entityId);
      if (previous != null) {
        markDeleted(previous);
      }
    } finally {
      lock.readLock().unlock();
    }
    maybeCleanup();
  }

  private void markDeleted(int ordinal) {
    builder.markNodeDeleted(ordinal);
    deleted.add(ordinal);
    deletedCount.incrementAndGet();
  }

  List<VectorHit> search(VectorFloat<?> query, int k, int beam, Predicate<String> accept) {
    lock.readLock().lock();
    try {
      int live = ordinalByEntity.size();
      if (live == 0) {
        return List.of();
      }
      VectorStore vectors = store;
      Bits acceptOrdinals =
          accept == null
              ? Bits.ALL
              : ordinal -> {
                VectorStore.Slot s = vectors.get(ordinal);
                return s != null && accept.test(s.entityId());
              };
      GraphSearcher searcher = borrowSearcher();
      List<VectorHit> hits;
      try {
        // The score tracker may end a search early when scores stop improving; with a selective
        // filter that can stop before k accepted nodes were reached.
        searcher.usePruning(accept == null);
        var ssp = DefaultSearchScoreProvider.exact(query, function, vectors);
        SearchResult result = searcher.search(ssp, k, Math.max(k, beam), 0f, 0f, acceptOrdinals);
        hits = toHits(result, vectors);
      } finally {
        returnSearcher(searcher);
      }
      if (hits.size() < k && hits.size() < live) {
        // The walk ran out before k accepted nodes: a very selective filter, or a region cut off
        // by deletes. An exact scan keeps the promise "k hits when k accepted vectors exist".
        hits = exactSearch(vectors, query, k, accept);
      }
      hits.sort(BEST_FIRST);
      return hits;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Hits best first, one per entity: an update in flight may have two live ordinals. */
  private static List<VectorHit> toHits(SearchResult result, VectorStore vectors) {
    SearchResult.NodeScore[] nodes = result.getNodes();
    var hits = new ArrayList<VectorHit>(nodes.length);
    for (SearchResult.NodeScore n : nodes) {
      String id = vectors.get(n.node).entityId();
      if (!containsEntity(hits, id)) {
        hits.add(new VectorHit(id, n.score));
      }
    }
    return hits;
  }

  private static boolean containsEntity(List<VectorHit> hits, String id) {
    for (VectorHit h : hits) {
      if (h.entityId().equals(id)) {
        return true;
      }
    }
    return false; // linear: k is small, and this runs once per hit
  }

  /** A pooled searcher over the current graph, viewing every node completed by now. */
  private GraphSearcher borrowSearcher() {
    GraphSearcher s = searchers.poll();
    if (s == null) {
      return new GraphSearcher(builder.getGraph());
    }
    pooledSearchers.decrementAndGet();
    s.setView(builder.getGraph().getView());
    return s;
  }

  private void returnSearcher(GraphSearcher s) {
    if (pooledSearchers.incrementAndGet() <= MAX_POOLED_SEARCHERS) {
      searchers.offer(s);
    } else {
      pooledSearchers.decrementAndGet();
      closeSearcher(s);
    }
  }

  private void dropSearchers() {
    for (GraphSearcher s = searchers.poll(); s != null; s = searchers.poll()) {
      closeSearcher(s);
    }
    pooledSearchers.set(0);
  }

  private static void closeSearcher(GraphSearcher s) {
    try {
      s.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private List<VectorHit> exactSearch(
      VectorStore vectors, VectorFloat<?> query, int k, Predicate<String> accept) {
    var worstFirst = new PriorityQueue<>(k + 1, BEST_FIRST.reversed());
    ordinalByEntity.forEach(
        (entityId, ordinal) -> {
          if (accept != null && !accept.test(entityId)) {
            return;
          }
          VectorStore.Slot s = vectors.get(ordinal);
          if (s == null) {
            return;
          }
          worstFirst.add(new VectorHit(entityId, function.compare(query, s.vector())));
          if (worstFirst.size() > k) {
            worstFirst.poll();
          }
        });
    return new ArrayList<>(worstFirst);
  }

  private void maybeCleanup() {
    if (cleanupDue()) {
      cleanup(false);
    }
  }

  private boolean cleanupDue() {
    int d = deletedCount.get();
    return d >= options.cleanupMinDeleted()
        && d > options.cleanupDeletedFraction() * (d + ordinalByEntity.size());
  }

  /**
   * Removes deleted nodes from the graph, repairs their neighbours' lists and frees their vectors.
   * Blocks the tenant's writes and searches while it runs.
   *
   * @param force clean even below the threshold
   *     <p>Uses {@code removeDeletedNodes()}, not {@code cleanup()}: in jvector 4.0.2 {@code
   *     cleanup()} also marks the graph "all mutations completed", after which searchers get a
   *     frozen view that does not track inserts still in flight, and this graph keeps taking
   *     inserts.
   */
  void cleanup(boolean force) {
    lock.writeLock().lock();
    try {
      int d = deletedCount.get();
      // writers that crossed the threshold together queue here; the first one cleans
      if (d == 0 || (!force && !cleanupDue())) {
        return;
      }
      long start = System.nanoTime();
      if (ordinalByEntity.isEmpty()) {
        // Nothing live: a new graph is cheaper than repairing one with no entry point left.
        dropSearchers();
        closeBuilder();
        newGraph(new VectorStore(dimension));
        nextOrdinal.set(0);
        deleted.clear();
      } else {
        builder.removeDeletedNodes();
        for (Integer ordinal = deleted.poll(); ordinal != null; ordinal = deleted.poll()) {
          store.free(ordinal);
        }
      }
      deletedCount.set(0);
      logger.debug(
          "tenant {}: removed {} deleted vectors in {} ms, {} live",
          tenant,
          d,
          (System.nanoTime() - start) / 1_000_000,
          ordinalByEntity.size());
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void closeBuilder() {
    try {
      builder.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes this graph's sections of a snapshot (see {@link VectorSnapshotFormat}); nothing when it
   * holds no vector. Removes deleted nodes first and then marks the graph complete, which jvector
   * requires before saving and after which the graph must take no more inserts: call only while
   * closing, with writes stopped.
   */
  void writeSnapshot(VectorSnapshotFormat.Writer w) throws IOException {
    lock.writeLock().lock();
    try {
      if (ordinalByEntity.isEmpty()) {
        return;
      }
      if (deletedCount.get() > 0) {
        builder.removeDeletedNodes();
        for (Integer ordinal = deleted.poll(); ordinal != null; ordinal = deleted.poll()) {
          store.free(ordinal);
        }
        deletedCount.set(0);
      }
      var out = w.beginSection(VectorSnapshotFormat.TENANT);
      VectorSnapshotFormat.writeString(out, tenant);
      VectorSnapshotFormat.writeString(out, options.metric().name());
      out.writeInt(dimension);
      out.writeInt(options.maxDegree());
      out.writeInt(options.constructionBeamWidth());
      out.writeFloat(options.neighborOverflow());
      out.writeFloat(options.alpha());
      out.writeInt(ordinalByEntity.size());
      out.writeInt(nextOrdinal.get());
      w.endSection();
      writeVectors(w);
      var graph = (OnHeapGraphIndex) builder.getGraph();
      graph.setAllMutationsCompleted();
      graph.save(w.beginSection(VectorSnapshotFormat.GRAPH));
      w.endSection();
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void writeVectors(VectorSnapshotFormat.Writer w) throws IOException {
    var entries = new ArrayList<>(ordinalByEntity.entrySet());
    for (int from = 0; from < entries.size(); from += VectorSnapshotFormat.VECTORS_PER_SECTION) {
      int to = Math.min(entries.size(), from + VectorSnapshotFormat.VECTORS_PER_SECTION);
      var out = w.beginSection(VectorSnapshotFormat.VECTORS);
      out.writeInt(to - from);
      for (var e : entries.subList(from, to)) {
        out.writeInt(e.getValue());
        VectorSnapshotFormat.writeString(out, e.getKey());
        for (float x : store.get(e.getValue()).values()) {
          out.writeFloat(x);
        }
      }
      w.endSection();
    }
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      dropSearchers();
      closeBuilder();
      ordinalByEntity.clear();
    } finally {
      lock.writeLock().unlock();
    }
  }
}
