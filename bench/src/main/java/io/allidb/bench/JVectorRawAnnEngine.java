package io.allidb.bench;

import io.allidb.dataplane.index.vector.VectorIndexOptions;
import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.ListRandomAccessVectorValues;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Diagnostic: jvector 4.0.2 used directly, with the graph parameters of our index (flat Vamana, no
 * hierarchy) but none of {@code JVectorIndex}'s per-query work: one reused {@code GraphSearcher},
 * {@code Bits.ALL} instead of accept bits over the entity map, int ids. The gap between this row
 * and {@code allidb} is what our wrapper costs; the gap between this row and Lucene is the
 * library's graph walk.
 */
final class JVectorRawAnnEngine implements AnnEngine {
  private static final VectorTypeSupport VTS =
      VectorizationProvider.getInstance().getVectorTypeSupport();

  private final VectorIndexOptions options;
  private ListRandomAccessVectorValues vectors;
  private ImmutableGraphIndex graph;
  private GraphSearcher searcher;

  JVectorRawAnnEngine(VectorIndexOptions options) {
    this.options = options;
  }

  @Override
  public String name() {
    return "jvector-raw";
  }

  @Override
  public String buildParams() {
    return String.format(
        Locale.ROOT,
        "M=%d, beam=%d, alpha=%.2f, overflow=%.2f, GraphIndexBuilder.build",
        options.maxDegree(),
        options.constructionBeamWidth(),
        options.alpha(),
        options.neighborOverflow());
  }

  @Override
  public String searchParam() {
    return "beam";
  }

  @Override
  public void build(float[][] base) throws IOException {
    List<VectorFloat<?>> list = new ArrayList<>(base.length);
    for (float[] v : base) {
      list.add(VTS.createFloatVector(v));
    }
    vectors = new ListRandomAccessVectorValues(list, base[0].length);
    var builder =
        new GraphIndexBuilder(
            BuildScoreProvider.randomAccessScoreProvider(
                vectors, VectorSimilarityFunction.EUCLIDEAN),
            base[0].length,
            options.maxDegree(),
            options.constructionBeamWidth(),
            options.neighborOverflow(),
            options.alpha(),
            false,
            false);
    graph = builder.build(vectors);
    searcher = new GraphSearcher(graph);
    searcher.usePruning(true); // as JVectorIndex does for unfiltered searches
  }

  @Override
  public int[] search(float[] query, int k, int width) {
    var ssp =
        DefaultSearchScoreProvider.exact(
            VTS.createFloatVector(query), VectorSimilarityFunction.EUCLIDEAN, vectors);
    SearchResult r = searcher.search(ssp, k, Math.max(k, width), 0f, 0f, Bits.ALL);
    SearchResult.NodeScore[] nodes = r.getNodes();
    int[] ids = new int[nodes.length];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = nodes[i].node;
    }
    return ids;
  }

  @Override
  public void close() throws IOException {
    if (searcher != null) {
      searcher.close();
    }
  }
}
