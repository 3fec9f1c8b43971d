package io.allidb.bench.lucene;

import io.allidb.bench.AnnEngine;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.apache.lucene.codecs.hnsw.DefaultFlatVectorScorer;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopKnnCollector;
import org.apache.lucene.util.hnsw.HnswGraphBuilder;
import org.apache.lucene.util.hnsw.HnswGraphSearcher;
import org.apache.lucene.util.hnsw.OnHeapHnswGraph;

/**
 * Lucene 10 HNSW as a library (no index, no codec): {@code HnswGraphBuilder} over the float arrays
 * and {@code HnswGraphSearcher} with a {@code TopKnnCollector} of size ef, which is what a Lucene
 * {@code KnnFloatVectorQuery} runs per segment minus the codec's off-heap vector reads. The build
 * is single-threaded (the concurrent merge builder needs a helper in Lucene's package), as in the
 * anchors. Loaded by reflection from {@code AnnBenchmark}; compiled only on JDK 21+.
 */
public final class LuceneHnswEngine implements AnnEngine {
  private static final VectorSimilarityFunction L2 = VectorSimilarityFunction.EUCLIDEAN;

  private final int maxConn;
  private final int beamWidth;
  private FloatVectorValues vectors;
  private OnHeapHnswGraph graph;

  /** M=16, beamWidth=100: Lucene's defaults and the anchors' settings. */
  public LuceneHnswEngine() {
    this(16, 100);
  }

  /** Explicit graph parameters. */
  public LuceneHnswEngine(int maxConn, int beamWidth) {
    this.maxConn = maxConn;
    this.beamWidth = beamWidth;
  }

  @Override
  public String name() {
    return "lucene";
  }

  @Override
  public String buildParams() {
    return "M=" + maxConn + ", beam=" + beamWidth + ", 1 build thread";
  }

  @Override
  public String searchParam() {
    return "ef";
  }

  @Override
  public void build(float[][] base) throws IOException {
    List<float[]> list = Arrays.asList(base);
    vectors = FloatVectorValues.fromFloats(list, base[0].length);
    var supplier = DefaultFlatVectorScorer.INSTANCE.getRandomVectorScorerSupplier(L2, vectors);
    graph = HnswGraphBuilder.create(supplier, maxConn, beamWidth, 42L).build(base.length);
  }

  @Override
  public int[] search(float[] query, int k, int width) throws IOException {
    var scorer = DefaultFlatVectorScorer.INSTANCE.getRandomVectorScorer(L2, vectors, query);
    var collector = new TopKnnCollector(Math.max(k, width), Integer.MAX_VALUE);
    HnswGraphSearcher.search(scorer, collector, graph, null);
    TopDocs top = collector.topDocs(); // best first
    int n = Math.min(k, top.scoreDocs.length);
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      ScoreDoc d = top.scoreDocs[i];
      ids[i] = d.doc;
    }
    return ids;
  }
}
