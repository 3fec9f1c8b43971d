package io.allidb.dataplane.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The offline embedder is deterministic and ranks related text above unrelated text. */
class LocalEmbedderTest {
  private static LocalEmbedder embedder;

  @BeforeAll
  static void load() {
    embedder = new LocalEmbedder();
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  @Test
  void sameTextGivesTheSameUnitVector() {
    float[] a = embedder.embed("Dynamo is a highly available key-value store.");
    float[] b = embedder.embed("Dynamo is a highly available key-value store.");
    assertThat(a).hasSize(LocalEmbedder.DIMENSION).containsExactly(b);
    assertThat(dot(a, a)).isCloseTo(1.0, within(1e-4));
  }

  @Test
  void relatedTextsScoreHigherThanUnrelatedOnes() {
    float[] db = embedder.embed("A distributed database replicates data across many servers.");
    float[] related = embedder.embed("Replication copies records to several storage nodes.");
    float[] unrelated = embedder.embed("The recipe needs two cups of flour and an egg.");
    assertThat(dot(db, related)).isGreaterThan(dot(db, unrelated) + 0.1);
  }

  @Test
  void batchEmbeddingMatchesSingleEmbedding() {
    List<float[]> batch = embedder.embedAll(List.of("log-structured merge tree", "Paxos"));
    assertThat(batch).hasSize(2);
    assertThat(dot(batch.get(1), embedder.embed("Paxos"))).isCloseTo(1.0, within(1e-3));
  }
}
