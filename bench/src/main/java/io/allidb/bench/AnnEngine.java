package io.allidb.bench;

/**
 * One in-process ANN engine under the {@code ann} benchmark. The benchmark times {@link #build} and
 * calls {@link #search} from one thread, so an implementation may keep per-thread scratch state.
 * Public because the Lucene peer lives in another package (its sources compile only on JDK 21+).
 */
public interface AnnEngine extends AutoCloseable {

  /** Short engine name for the report, e.g. {@code allidb}. */
  String name();

  /** Build parameters for the report, e.g. {@code M=16, beam=100}. */
  String buildParams();

  /** What the search width is called for this engine in the report ({@code beam} or {@code ef}). */
  String searchParam();

  /**
   * Indexes every vector; vector {@code i} gets id {@code i}. May use all cores.
   *
   * @param base row-major vectors, all of the same dimension; the engine may keep the arrays
   */
  void build(float[][] base) throws Exception;

  /**
   * The ids of the (approximately) {@code k} nearest vectors by squared L2 distance, best first.
   *
   * @param width the search beam / ef, at least {@code k}
   */
  int[] search(float[] query, int k, int width) throws Exception;

  @Override
  default void close() throws Exception {}
}
