package io.allidb.dataplane.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.allidb.api.proto.Entity;
import io.allidb.api.proto.GraphEdge;
import io.allidb.api.proto.VectorEmbedding;
import io.allidb.dataplane.index.graph.Direction;
import io.allidb.dataplane.index.vector.VectorHit;
import io.allidb.dataplane.index.vector.VectorIndexOptions;
import io.allidb.dataplane.storage.StorageOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Storage and indexes move together: validation first, visibility on return, rebuild at open. */
class EntityStoreTest {
  @TempDir Path dir;

  private EntityStore open() throws Exception {
    return EntityStore.open(StorageOptions.builder(dir).build(), VectorIndexOptions.defaults());
  }

  @Test
  void aWrongDimensionOrANonFiniteComponentIsRejectedBeforeAnythingIsWritten() throws Exception {
    try (var store = open()) {
      store.put("t", entity("a", 1, 0, 0));
      assertThatThrownBy(() -> store.put("t", entity("b", 1, 0)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("entity b")
          .hasMessageContaining("dimension 2")
          .hasMessageContaining("uses 3");
      assertThatThrownBy(() -> store.put("t", entity("c", 1, Float.NaN, 0)))
          .hasMessageContaining("component 1 is NaN");
      assertThatThrownBy(
              () -> store.putBatch("t", List.of(entity("d", 0, 1, 0), entity("e", 0, 1))))
          .hasMessageContaining("entity e");
      for (String id : List.of("b", "c", "d", "e")) {
        assertThat(store.storage().get("t", id)).as(id).isEmpty();
      }
      // another tenant fixes its own dimension
      store.put("u", entity("a", 1, 0));
      assertThat(store.dimension("u")).hasValue(2);
    }
  }

  @Test
  void writesAreSearchableOnReturnAndDeletesAreGoneOnReturn() throws Exception {
    try (var store = open()) {
      store.put("t", entity("a", 1, 0, 0, edge("a", "b")));
      assertThat(search(store, 1, 0, 0)).containsExactly("a");
      assertThat(store.graph().neighbors("t", "b", Direction.INCOMING, Set.of(), 10)).hasSize(1);
      store.delete("t", "a");
      assertThat(search(store, 1, 0, 0)).isEmpty();
      assertThat(store.graph().neighbors("t", "b", Direction.INCOMING, Set.of(), 10)).isEmpty();
    }
  }

  @Test
  void indexesAreRebuiltFromStorageWhenTheStoreOpens() throws Exception {
    try (var store = open()) {
      store.put("t", entity("a", 1, 0, 0, edge("a", "b")));
      store.put("t", entity("gone", 0, 1, 0));
      store.delete("t", "gone");
      store.storage().flush();
      store.put("t", entity("b", 0, 0, 1)); // only in the WAL
    }
    try (var store = open()) {
      assertThat(search(store, 1, 0, 0)).containsExactly("a", "b");
      assertThat(store.graph().neighbors("t", "a", Direction.OUTGOING, Set.of(), 10))
          .extracting(e -> e.to())
          .containsExactly("b");
      assertThat(store.dimension("t")).hasValue(3);
    }
  }

  @Test
  void cleanupDropsRefusedKeysFromStorageAndFromEveryIndex() throws Exception {
    try (var store = open()) {
      store.put("t", entity("keep", 1, 0, 0, edge("keep", "x")));
      store.put("t", withText(entity("drop", 0.9f, 0.1f, 0, edge("drop", "x")), "zebra stripes"));
      store.put("t", entity("drop2", 0, 1, 0));
      store.delete("t", "drop2"); // a tombstone: dropped too, nothing left to unindex
      assertThat(store.text().search("t", "zebra", 10)).hasSize(1);

      var result = store.cleanup(k -> k.id().equals("keep"));

      assertThat(result.rowsDropped()).isEqualTo(2);
      assertThat(result.droppedLive()).hasSize(1);
      assertThat(store.storage().getRow(io.allidb.dataplane.storage.row.RowKey.of("t", "drop")))
          .isEmpty();
      assertThat(search(store, 1, 0, 0)).containsExactly("keep");
      assertThat(store.graph().neighbors("t", "x", Direction.INCOMING, Set.of(), 10))
          .extracting(e -> e.from())
          .containsExactly("keep");
      assertThat(store.text().search("t", "zebra", 10)).isEmpty();
    }
  }

  private static Entity withText(Entity e, String text) {
    return e.toBuilder()
        .addChunks(
            io.allidb.api.proto.TextChunk.newBuilder()
                .setChunkId(e.getEntityId() + "#0")
                .setText(text))
        .build();
  }

  private static List<String> search(EntityStore store, float... q) {
    return store.vectors().search("t", q, 10, 0, null).stream().map(VectorHit::entityId).toList();
  }

  private static GraphEdge edge(String from, String to) {
    return GraphEdge.newBuilder()
        .setFromEntity(from)
        .setToEntity(to)
        .setRelation("r")
        .setWeight(1)
        .build();
  }

  private static Entity entity(String id, float x, float y, GraphEdge... edges) {
    return build(id, new float[] {x, y}, edges);
  }

  private static Entity entity(String id, float x, float y, float z, GraphEdge... edges) {
    return build(id, new float[] {x, y, z}, edges);
  }

  private static Entity build(String id, float[] v, GraphEdge... edges) {
    var emb = VectorEmbedding.newBuilder().setVersion(1);
    for (float f : v) {
      emb.addVector(f);
    }
    return Entity.newBuilder()
        .setEntityId(id)
        .addEmbeddings(emb)
        .addAllOutgoingEdges(List.of(edges))
        .build();
  }
}
