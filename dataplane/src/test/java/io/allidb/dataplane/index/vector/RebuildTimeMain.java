package io.allidb.dataplane.index.vector;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

/**
 * Measures how long a {@link JVectorIndex} takes to rebuild from scratch, as the engine does at
 * start, then its recall@10 and single-thread search rate on held-out queries. Not a test (no
 * timing assertions); run it by hand:
 *
 * <pre>{@code
 * ./mvnw -B -o -q -pl dataplane test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -cp dataplane/target/classes:dataplane/target/test-classes:$(cat /tmp/cp.txt) \
 *     io.allidb.dataplane.index.vector.RebuildTimeMain 100000 128
 * }</pre>
 *
 * <p>Arguments: vector count (default 100000), dimension (default 128), seed (default 42).
 */
public final class RebuildTimeMain {
  private RebuildTimeMain() {}

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int dim = args.length > 1 ? Integer.parseInt(args[1]) : 128;
    long seed = args.length > 2 ? Long.parseLong(args[2]) : 42;
    int queries = 100;
    var rnd = new Random(seed);
    float[][] all = TestVectors.clustered(rnd, n + queries, dim, n / 10, 1.0f);
    float[][] base = Arrays.copyOf(all, n);
    var records = TestVectors.records("t", base);

    try (var index = new JVectorIndex(VectorIndexOptions.defaults())) {
      long start = System.nanoTime();
      index.upsertAll(records);
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          "rebuild: %d x %d-d vectors in %.1f s (%.0f vectors/s, %d cores, JDK %s)%n",
          n,
          dim,
          seconds,
          n / seconds,
          Runtime.getRuntime().availableProcessors(),
          Runtime.version());

      var exact = new ArrayList<Set<String>>();
      for (int q = 0; q < queries; q++) {
        Set<String> ids = new HashSet<>();
        TestVectors.exactTopK(base, all[n + q], 10).forEach(i -> ids.add(TestVectors.id(i)));
        exact.add(ids);
      }
      for (int beam : new int[] {50, 100, 200}) {
        int found = 0;
        long searchNanos = 0;
        for (int q = 0; q < queries; q++) {
          float[] query = all[n + q];
          long t0 = System.nanoTime();
          var hits = index.search("t", query, 10, beam, null);
          searchNanos += System.nanoTime() - t0;
          for (VectorHit h : hits) {
            found += exact.get(q).contains(h.entityId()) ? 1 : 0;
          }
        }
        System.out.printf(
            "beam %d: recall@10 %.3f, %.2f ms/query (one thread, cold)%n",
            beam, found / (10.0 * queries), searchNanos / 1e6 / queries);
      }
    }
  }
}
