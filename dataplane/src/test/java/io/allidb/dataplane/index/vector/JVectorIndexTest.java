package io.allidb.dataplane.index.vector;

import static io.allidb.dataplane.index.vector.TestVectors.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import io.allidb.dataplane.testing.Seeds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class JVectorIndexTest {
  private static final String T = "acme";

  private JVectorIndex index = new JVectorIndex(VectorIndexOptions.defaults());

  @AfterEach
  void close() {
    index.close();
  }

  @Test
  void recallAt10AgainstBruteForceIsAtLeast095() {
    var rnd = new Random(Seeds.seed("recallAt10AgainstBruteForceIsAtLeast095"));
    int n = 10_000;
    int queries = 200;
    int dim = 64;
    // Queries are held-out points of the same distribution, as RAG questions are embedded by the
    // model that embedded the documents.
    float[][] all = TestVectors.clustered(rnd, n + queries, dim, 1_000, 1.0f);
    float[][] base = Arrays.copyOf(all, n);
    index.upsertAll(TestVectors.records(T, base));
    assertThat(index.size(T)).isEqualTo(n);

    List<Set<String>> exact = new ArrayList<>();
    for (int q = 0; q < queries; q++) {
      Set<String> ids = new HashSet<>();
      TestVectors.exactTopK(base, all[n + q], 10).forEach(i -> ids.add(id(i)));
      exact.add(ids);
    }
    double recallAt100 = 0;
    for (int beam : new int[] {20, 50, 100, 200}) {
      int found = 0;
      for (int q = 0; q < queries; q++) {
        for (VectorHit h : index.search(T, all[n + q], 10, beam, null)) {
          found += exact.get(q).contains(h.entityId()) ? 1 : 0;
        }
      }
      double recall = found / (10.0 * queries);
      System.out.printf(
          "[recall] recall@10 = %.4f at beam %d (n=%d, dim=%d, M=%d, 1000 overlapping gaussian"
              + " clusters)%n",
          recall, beam, n, dim, VectorIndexOptions.defaults().maxDegree());
      if (beam == 100) {
        recallAt100 = recall;
      }
    }
    assertThat(recallAt100).isGreaterThanOrEqualTo(0.95);
  }

  @Test
  void vectorsInsertedAfterDeletesStayReachable() {
    // Regression test for jvector's upper layers losing nodes after deletes (see JVectorIndex).
    var rnd = new Random(Seeds.seed("vectorsInsertedAfterDeletesStayReachable"));
    var live = new HashMap<String, float[]>();
    for (int i = 0; i < 4_000; i++) {
      String id = "e" + rnd.nextInt(2_000);
      float[] v = TestVectors.gaussian(rnd, 1, 24)[0];
      index.upsert(T, id, v);
      live.put(id, v);
      if (i % 10 == 0) {
        String gone = "e" + rnd.nextInt(2_000);
        index.delete(T, gone);
        live.remove(gone);
      }
    }
    assertThat(index.size(T)).isEqualTo(live.size());
    assertThat(live.entrySet())
        .allSatisfy(
            e ->
                assertThat(index.search(T, e.getValue(), 10, 100, null))
                    .extracting(VectorHit::entityId)
                    .contains(e.getKey()));
  }

  @Test
  void upsertReplacesThePreviousVector() {
    var rnd = new Random(Seeds.seed("upsertReplacesThePreviousVector"));
    float[][] base = TestVectors.gaussian(rnd, 500, 16);
    index.upsertAll(TestVectors.records(T, base));
    float[] old = base[7];
    float[] replacement = TestVectors.gaussian(rnd, 1, 16)[0];

    index.upsert(T, id(7), replacement);

    assertThat(index.size(T)).isEqualTo(500);
    assertThat(index.search(T, replacement, 1, 50, null).get(0).entityId()).isEqualTo(id(7));
    List<VectorHit> nearOld = index.search(T, old, 500, 500, null);
    assertThat(nearOld).hasSize(500);
    assertThat(nearOld.stream().filter(h -> h.entityId().equals(id(7))).findFirst().orElseThrow())
        .satisfies(h -> assertThat(h.similarity()).isLessThan(0.999f));
  }

  @Test
  void deletedEntityIsNeverReturned() {
    var rnd = new Random(Seeds.seed("deletedEntityIsNeverReturned"));
    float[][] base = TestVectors.gaussian(rnd, 1_000, 16);
    index.upsertAll(TestVectors.records(T, base));
    Set<String> deleted = new HashSet<>();
    for (int i = 0; i < 1_000; i += 3) {
      index.delete(T, id(i));
      deleted.add(id(i));
    }
    index.delete(T, "never-existed");

    assertThat(index.size(T)).isEqualTo(1_000 - deleted.size());
    for (int i = 0; i < 1_000; i += 3) {
      assertThat(index.search(T, base[i], 10, 50, null))
          .hasSize(10)
          .extracting(VectorHit::entityId)
          .doesNotContainAnyElementsOf(deleted);
    }
    assertThat(index.search(T, base[0], 1_000, 1_000, null))
        .hasSize(1_000 - deleted.size())
        .extracting(VectorHit::entityId)
        .doesNotContainAnyElementsOf(deleted);
  }

  @Test
  void upsertIsVisibleToTheNextSearch() {
    var rnd = new Random(Seeds.seed("upsertIsVisibleToTheNextSearch"));
    float[][] base = TestVectors.gaussian(rnd, 2_000, 32);
    for (int i = 0; i < base.length; i++) {
      index.upsert(T, id(i), base[i]);
      assertThat(index.search(T, base[i], 10, 0, null))
          .extracting(VectorHit::entityId)
          .contains(id(i));
    }
  }

  @Test
  void rejectsDimensionMismatchNonFiniteAndEmptyVectors() {
    assertThatThrownBy(() -> index.upsert(T, "a", new float[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'acme'")
        .hasMessageContaining("expected dimension any, got 0");
    assertThat(index.dimension(T)).isEmpty();

    index.upsert(T, "a", new float[] {1, 2, 3});
    assertThat(index.dimension(T)).hasValue(3);

    assertThatThrownBy(() -> index.upsert(T, "b", new float[] {1, 2}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'acme'")
        .hasMessageContaining("expected dimension 3, got 2");
    assertThatThrownBy(() -> index.upsert(T, "b", new float[] {1, Float.NaN, 3}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'acme'")
        .hasMessageContaining("NaN")
        .hasMessageContaining("expected dimension 3, got 3");
    assertThatThrownBy(() -> index.upsert(T, "b", new float[] {1, Float.POSITIVE_INFINITY, 3}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Infinity");
    assertThatThrownBy(() -> index.upsert(T, "b", new float[3]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cosine");
    assertThatThrownBy(() -> index.upsert(T, "b", new float[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected dimension 3, got 0");
    assertThatThrownBy(() -> index.search(T, new float[] {1, 2}, 1, 0, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected dimension 3, got 2");
    assertThatThrownBy(() -> index.search(T, new float[] {1, 2, 3}, 0, 0, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("k must be at least 1; got 0");
    assertThat(index.size(T)).isEqualTo(1);
  }

  @Test
  void tenantsNeverSeeEachOthersVectors() {
    var rnd = new Random(Seeds.seed("tenantsNeverSeeEachOthersVectors"));
    float[][] a = TestVectors.gaussian(rnd, 300, 8);
    float[][] b = TestVectors.gaussian(rnd, 200, 8);
    index.upsertAll(TestVectors.records("a", a));
    index.upsertAll(TestVectors.records("b", b));
    index.upsert("c", "x", new float[] {1, 2, 3, 4});

    assertThat(index.size("a")).isEqualTo(300);
    assertThat(index.size("b")).isEqualTo(200);
    assertThat(index.dimension("c")).hasValue(4);
    assertThat(index.size("nobody")).isZero();
    assertThat(index.search("nobody", a[0], 5, 0, null)).isEmpty();
    // The same ids exist in both tenants; b's search must rank only b's vectors.
    List<VectorHit> hits = index.search("b", a[5], 300, 300, null);
    assertThat(hits).hasSize(200);
    for (VectorHit h : hits) {
      int i = Integer.parseInt(h.entityId().substring(1));
      assertThat(h.similarity())
          .isCloseTo((float) (1 + TestVectors.cosine(b[i], a[5])) / 2, offset(1e-4f));
    }
    index.delete("a", id(5));
    assertThat(index.size("a")).isEqualTo(299);
    assertThat(index.size("b")).isEqualTo(200);
    assertThat(index.search("b", b[5], 1, 0, null).get(0).entityId()).isEqualTo(id(5));
  }

  @Test
  void filterIsAppliedBeforeTheTopKCut() {
    var rnd = new Random(Seeds.seed("filterIsAppliedBeforeTheTopKCut"));
    int n = 5_000;
    float[][] base = TestVectors.clustered(rnd, n, 32, 20, 0.5f);
    index.upsertAll(TestVectors.records(T, base));
    // ids e0, e100, e200, ...: 1% of the entities, spread over every cluster
    Set<String> accepted = new HashSet<>();
    for (int i = 0; i < n; i += 100) {
      accepted.add(id(i));
    }

    for (int q = 0; q < 20; q++) {
      float[] query = base[rnd.nextInt(n)];
      List<VectorHit> hits = index.search(T, query, 10, 50, accepted::contains);
      assertThat(hits).hasSize(10).extracting(VectorHit::entityId).isSubsetOf(accepted);
      // they are the 10 best accepted ones
      List<String> exact =
          TestVectors.exactTopK(base, query, n).stream()
              .map(TestVectors::id)
              .filter(accepted::contains)
              .limit(10)
              .toList();
      assertThat(hits).extracting(VectorHit::entityId).containsExactlyInAnyOrderElementsOf(exact);
    }
    Set<String> three = Set.of(id(1), id(2), id(3));
    assertThat(index.search(T, base[0], 10, 50, three::contains))
        .extracting(VectorHit::entityId)
        .containsExactlyInAnyOrderElementsOf(three);
    assertThat(index.search(T, base[0], 10, 50, id -> false)).isEmpty();
  }

  @Test
  void concurrentUpsertsAndSearchesLoseNoAcknowledgedVector() throws Exception {
    long seed = Seeds.seed("concurrentUpsertsAndSearchesLoseNoAcknowledgedVector");
    int writers = 4;
    int perWriter = 1_000;
    int dim = 24;
    index =
        new JVectorIndex(
            VectorIndexOptions.builder()
                .cleanupMinDeleted(100)
                .cleanupDeletedFraction(0.1)
                .build());
    var acknowledged = new ConcurrentHashMap<String, float[]>();
    var stop = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(writers + 2);
    try {
      var futures = new ArrayList<Future<?>>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        futures.add(
            pool.submit(
                () -> {
                  var rnd = new Random(seed + writer);
                  for (int i = 0; i < perWriter; i++) {
                    // each writer owns the ids w, w + writers, ...; ids repeat, so there are
                    // updates, and the oracle stays exact without serializing the writers
                    String id = "e" + (writer + writers * rnd.nextInt(perWriter / 2));
                    float[] v = TestVectors.gaussian(rnd, 1, dim)[0];
                    index.upsert(T, id, v);
                    acknowledged.put(id, v);
                    if (i % 10 == 0) {
                      String gone = "e" + (writer + writers * rnd.nextInt(perWriter / 2));
                      index.delete(T, gone);
                      acknowledged.remove(gone);
                    }
                  }
                  return null;
                }));
      }
      var searchers = new ArrayList<Future<?>>();
      for (int s = 0; s < 2; s++) {
        int searcher = s;
        searchers.add(
            pool.submit(
                () -> {
                  var rnd = new Random(seed + 100 + searcher);
                  while (!stop.get()) {
                    float[] q = TestVectors.gaussian(rnd, 1, dim)[0];
                    assertThat(index.search(T, q, 10, 40, null)).hasSizeLessThanOrEqualTo(10);
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get(5, TimeUnit.MINUTES);
      }
      stop.set(true);
      for (Future<?> f : searchers) {
        f.get(1, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(index.size(T)).isEqualTo(acknowledged.size());
    int missing = 0;
    for (var e : acknowledged.entrySet()) {
      List<VectorHit> hits = index.search(T, e.getValue(), 10, 100, null);
      if (hits.stream().noneMatch(h -> h.entityId().equals(e.getKey()))) {
        missing++;
      }
    }
    assertThat(missing).as("acknowledged vectors not found by their own vector").isZero();
  }

  @ParameterizedTest
  @EnumSource(VectorMetric.class)
  void everyMetricReturnsTheExactNearestNeighbourOnASemicircle(VectorMetric metric) {
    index = new JVectorIndex(VectorIndexOptions.builder().metric(metric).build());
    // Unit vectors at angles i * pi / n: on the unit circle cosine, dot product and euclidean
    // distance all rank by angular distance, so the nearest point to angle a is round(a / step).
    int n = 200;
    double step = Math.PI / n;
    for (int i = 0; i < n; i++) {
      index.upsert(T, id(i), new float[] {(float) Math.cos(i * step), (float) Math.sin(i * step)});
    }
    var rnd = new Random(Seeds.seed("everyMetricReturnsTheExactNearestNeighbourOnASemicircle"));
    for (int q = 0; q < 50; q++) {
      int target = rnd.nextInt(n);
      double angle = (target + 0.3 * (rnd.nextDouble() - 0.5)) * step;
      float[] query = {(float) Math.cos(angle), (float) Math.sin(angle)};
      List<VectorHit> hits = index.search(T, query, 3, 20, null);
      assertThat(hits.get(0).entityId()).isEqualTo(id(target));
      assertThat(hits.get(0).similarity()).isGreaterThan(hits.get(1).similarity());
    }
    float[] exact = {(float) Math.cos(17 * step), (float) Math.sin(17 * step)};
    VectorHit top = index.search(T, exact, 1, 20, null).get(0);
    assertThat(top.entityId()).isEqualTo(id(17));
    assertThat(top.similarity()).isCloseTo(1f, offset(1e-5f));
  }

  @Test
  void cleanupRemovesDeletedNodesAndKeepsSearchAccurate() {
    var rnd = new Random(Seeds.seed("cleanupRemovesDeletedNodesAndKeepsSearchAccurate"));
    index =
        new JVectorIndex(
            VectorIndexOptions.builder()
                .cleanupMinDeleted(50)
                .cleanupDeletedFraction(0.25)
                .build());
    float[][] base = TestVectors.gaussian(rnd, 2_000, 16);
    index.upsertAll(TestVectors.records(T, base));
    for (int i = 0; i < 1_000; i++) {
      index.delete(T, id(i));
      assertThat(index.pendingDeletes(T)).isLessThanOrEqualTo(Math.max(50, 1 + (2_000 - i) / 3));
    }
    index.cleanup(T);
    assertThat(index.pendingDeletes(T)).isZero();
    assertThat(index.size(T)).isEqualTo(1_000);
    for (int i = 1_000; i < 2_000; i += 10) {
      assertThat(index.search(T, base[i], 1, 50, null).get(0).entityId()).isEqualTo(id(i));
    }

    for (int i = 1_000; i < 2_000; i++) {
      index.delete(T, id(i));
    }
    index.cleanup(T);
    assertThat(index.size(T)).isZero();
    assertThat(index.search(T, base[0], 5, 0, null)).isEmpty();
    index.upsert(T, "again", base[0]);
    assertThat(index.search(T, base[0], 5, 0, null))
        .extracting(VectorHit::entityId)
        .containsExactly("again");
  }
}
