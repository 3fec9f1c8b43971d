package io.allidb.dataplane.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.api.proto.Entity;
import io.allidb.api.proto.GraphEdge;
import io.allidb.api.proto.VectorEmbedding;
import io.allidb.dataplane.index.graph.Direction;
import io.allidb.dataplane.index.graph.Edge;
import io.allidb.dataplane.index.graph.InMemoryGraphIndex;
import io.allidb.dataplane.index.vector.JVectorIndex;
import io.allidb.dataplane.index.vector.VectorHit;
import io.allidb.dataplane.index.vector.VectorIndexOptions;
import io.allidb.dataplane.storage.StorageEngine;
import io.allidb.dataplane.storage.StorageOptions;
import io.allidb.dataplane.testing.Entities;
import io.allidb.dataplane.testing.Seeds;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EntityIndexerTest {
  @TempDir Path dir;

  private final JVectorIndex vectors = new JVectorIndex(VectorIndexOptions.defaults());
  private final InMemoryGraphIndex graph = new InMemoryGraphIndex();
  private final EntityIndexer indexer = new EntityIndexer(vectors, graph);

  @AfterEach
  void close() {
    vectors.close();
  }

  private static Entity entity(String id, List<float[]> embeddings, String... targets) {
    var b = Entity.newBuilder().setEntityId(id);
    long version = 1;
    for (float[] v : embeddings) {
      var emb = VectorEmbedding.newBuilder().setVersion(version++);
      for (float x : v) {
        emb.addVector(x);
      }
      b.addEmbeddings(emb);
    }
    for (String t : targets) {
      b.addOutgoingEdges(
          GraphEdge.newBuilder().setFromEntity(id).setToEntity(t).setRelation("r").setWeight(1));
    }
    return b.build();
  }

  @Test
  void indexesTheLatestEmbeddingAndTheOutgoingEdges() {
    indexer.index("t", entity("a", List.of(new float[] {1, 0}, new float[] {0, 1}), "b", "c"));

    assertThat(vectors.search("t", new float[] {0, 1}, 1, 0, null))
        .containsExactly(new VectorHit("a", 1f));
    assertThat(vectors.search("t", new float[] {1, 0}, 1, 0, null).get(0).similarity())
        .isLessThan(0.6f);
    assertThat(graph.neighbors("t", "a", Direction.OUTGOING, Set.of(), 10))
        .containsExactly(new Edge("a", "b", "r", 1), new Edge("a", "c", "r", 1));
    assertThat(graph.neighbors("t", "c", Direction.INCOMING, Set.of(), 10))
        .containsExactly(new Edge("a", "c", "r", 1));
  }

  @Test
  void entityWithoutEmbeddingsLeavesTheVectorIndexAndRemoveClearsBoth() {
    indexer.index("t", entity("a", List.of(new float[] {1, 0}), "b"));
    indexer.index("t", entity("a", List.of(), "c"));

    assertThat(vectors.size("t")).isZero();
    assertThat(graph.neighbors("t", "a", Direction.OUTGOING, Set.of(), 10))
        .extracting(Edge::to)
        .containsExactly("c");

    indexer.remove("t", "a");
    assertThat(graph.neighbors("t", "c", Direction.INCOMING, Set.of(), 10)).isEmpty();
  }

  @Test
  void rebuildIndexesEveryLiveEntityOfEveryTenantAndSkipsDeletedOnes() throws Exception {
    var rnd =
        new Random(Seeds.seed("rebuildIndexesEveryLiveEntityOfEveryTenantAndSkipsDeletedOnes"));
    Map<String, Integer> liveByTenant = new HashMap<>();
    try (var engine = StorageEngine.open(StorageOptions.builder(dir).build())) {
      for (String tenant : List.of("t1", "t2", "t3")) {
        var batch = new ArrayList<Entity>();
        for (int i = 0; i < 300; i++) {
          batch.add(Entities.random(rnd, "e" + i, 8));
        }
        engine.putBatch(tenant, batch);
        liveByTenant.put(tenant, 300);
      }
      engine.flush(); // some rows in an SSTable, the rest in the memtable
      for (int i = 0; i < 300; i += 10) {
        engine.delete("t2", "e" + i);
      }
      liveByTenant.put("t2", 270);
      engine.put("t3", entity("no-vector", List.of(), "e1"));
      engine.put("t3", entity("zz-bad-dimension", List.of(new float[] {1, 2, 3})));

      var stats = indexer.rebuild(engine);

      assertThat(stats.entities()).isEqualTo(300 + 270 + 302);
      assertThat(stats.vectors()).isEqualTo(870);
      assertThat(vectors.size("t1")).isEqualTo(300);
      assertThat(vectors.size("t2")).isEqualTo(270);
      assertThat(vectors.size("t3")).isEqualTo(300);
      assertThat(stats.skippedVectors()).isEqualTo(1);
      assertThat(graph.neighbors("t3", "no-vector", Direction.OUTGOING, Set.of(), 10))
          .extracting(Edge::to)
          .containsExactly("e1");
      assertThat(vectors.search("t2", new float[] {1, 1, 1, 1, 1, 1, 1, 1}, 300, 300, null))
          .hasSize(270)
          .extracting(VectorHit::entityId)
          .doesNotContain("e0", "e10", "e290");
      assertThat(graph.neighbors("t2", "e0", Direction.OUTGOING, Set.of(), 10)).isEmpty();
      assertThat(graph.neighbors("t1", "e0", Direction.OUTGOING, Set.of(), 10)).hasSize(1);
    }
  }

  @Test
  void rebuildFromASnapshotInsertsOnlyChangedVectorsAndRemovesDeletedOnes() throws Exception {
    var rnd =
        new Random(
            Seeds.seed("rebuildFromASnapshotInsertsOnlyChangedVectorsAndRemovesDeletedOnes"));
    Path snapshot = dir.resolve("index.snapshot");
    try (var engine = StorageEngine.open(StorageOptions.builder(dir.resolve("db")).build())) {
      var batch = new ArrayList<Entity>();
      for (int i = 0; i < 300; i++) {
        batch.add(Entities.random(rnd, "e" + i, 8));
      }
      engine.putBatch("t1", batch);
      indexer.rebuild(engine);
      vectors.close(snapshot);

      // written after the snapshot (as a crash before the next clean close would leave them)
      Entity changed = Entities.random(rnd, "e1", 8);
      engine.put("t1", changed);
      engine.delete("t1", "e2");
      engine.put("t1", Entities.random(rnd, "e-new", 8));

      try (var loaded = JVectorIndex.open(VectorIndexOptions.defaults(), snapshot)) {
        var stats = new EntityIndexer(loaded, new InMemoryGraphIndex()).rebuild(engine);
        assertThat(stats.reusedVectors()).isEqualTo(298);
        assertThat(stats.removedVectors()).isEqualTo(1);
        assertThat(stats.vectors()).isEqualTo(300);
        assertThat(loaded.entityIds("t1")).hasSize(300).contains("e-new").doesNotContain("e2");
        var latest = changed.getEmbeddings(changed.getEmbeddingsCount() - 1).getVectorList();
        float[] expected = new float[latest.size()];
        for (int i = 0; i < expected.length; i++) {
          expected[i] = latest.get(i);
        }
        assertThat(loaded.vector("t1", "e1")).containsExactly(expected);
        assertThat(loaded.search("t1", expected, 1, 50, null).get(0).entityId()).isEqualTo("e1");
      }
    }
  }
}
