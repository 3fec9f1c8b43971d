package io.allidb.dataplane.index.vector;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;

/** Seeded vector fixtures and an exact (brute-force) oracle for vector index tests. */
final class TestVectors {
  private TestVectors() {}

  /** Gaussian clusters: {@code clusters} centres, each point a centre plus N(0, spread^2) noise. */
  static float[][] clustered(Random rnd, int n, int dim, int clusters, float spread) {
    float[][] centres = gaussian(rnd, clusters, dim);
    float[][] out = new float[n][dim];
    for (int i = 0; i < n; i++) {
      float[] c = centres[rnd.nextInt(clusters)];
      for (int d = 0; d < dim; d++) {
        out[i][d] = c[d] + spread * (float) rnd.nextGaussian();
      }
    }
    return out;
  }

  static float[][] gaussian(Random rnd, int n, int dim) {
    float[][] out = new float[n][dim];
    for (int i = 0; i < n; i++) {
      for (int d = 0; d < dim; d++) {
        out[i][d] = (float) rnd.nextGaussian();
      }
    }
    return out;
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  /** Indexes of the k vectors with the highest cosine to the query, best first, exactly. */
  static List<Integer> exactTopK(float[][] base, float[] query, int k) {
    double[] score = new double[base.length];
    for (int i = 0; i < base.length; i++) {
      score[i] = cosine(base[i], query);
    }
    var worstFirst = new PriorityQueue<Integer>(Comparator.comparingDouble(i -> score[i]));
    for (int i = 0; i < base.length; i++) {
      worstFirst.add(i);
      if (worstFirst.size() > k) {
        worstFirst.poll();
      }
    }
    var out = new ArrayList<>(worstFirst);
    out.sort(Comparator.comparingDouble((Integer i) -> -score[i]));
    return out;
  }

  static String id(int i) {
    return "e" + i;
  }

  static List<VectorRecord> records(String tenant, float[][] vectors) {
    var out = new ArrayList<VectorRecord>(vectors.length);
    for (int i = 0; i < vectors.length; i++) {
      out.add(new VectorRecord(tenant, id(i), vectors[i]));
    }
    return out;
  }
}
