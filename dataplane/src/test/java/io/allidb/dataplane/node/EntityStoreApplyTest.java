package io.allidb.dataplane.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.allidb.api.proto.Entity;
import io.allidb.api.proto.GraphEdge;
import io.allidb.api.proto.VectorEmbedding;
import io.allidb.dataplane.index.graph.Direction;
import io.allidb.dataplane.index.vector.VectorIndexOptions;
import io.allidb.dataplane.storage.EntityCodec;
import io.allidb.dataplane.storage.StorageOptions;
import io.allidb.dataplane.storage.row.LastWriteWins;
import io.allidb.dataplane.storage.row.Row;
import io.allidb.dataplane.storage.row.RowKey;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link EntityStore#apply}: rows timestamped elsewhere, arriving in any order and concurrently,
 * leave storage and both indexes on the last-write-wins winner, checked against an oracle.
 */
class EntityStoreApplyTest {
  private static final String T = "t";
  private static final long T0 = 1_800_000_000_000_000L;

  @TempDir Path dir;

  private EntityStore open() throws Exception {
    return EntityStore.open(StorageOptions.builder(dir).build(), VectorIndexOptions.defaults());
  }

  @Test
  void anOlderRowChangesNeitherStorageNorTheIndexes() throws Exception {
    try (var store = open()) {
      assertThat(store.apply(List.of(live("a", T0 + 10, 1, 0, "b")))).isEqualTo(1);
      assertThat(store.apply(List.of(live("a", T0 + 5, 0, 1, "c")))).isZero();
      assertThat(store.storage().getRow(RowKey.of(T, "a")).orElseThrow().timestamp())
          .isEqualTo(T0 + 10);
      assertThat(nearest(store, 1, 0)).isEqualTo("a");
      assertThat(store.graph().neighbors(T, "a", Direction.OUTGOING, Set.of(), 10))
          .extracting(e -> e.to())
          .containsExactly("b");
      // an older tombstone does not delete either
      assertThat(store.apply(List.of(Row.tombstone(RowKey.of(T, "a"), T0 + 1)))).isZero();
      assertThat(store.storage().get(T, "a")).isPresent();
      // a newer tombstone removes the entity from storage and both indexes
      assertThat(store.apply(List.of(Row.tombstone(RowKey.of(T, "a"), T0 + 11)))).isEqualTo(1);
      assertThat(store.storage().get(T, "a")).isEmpty();
      assertThat(store.vectors().size(T)).isZero();
      assertThat(store.graph().neighbors(T, "b", Direction.INCOMING, Set.of(), 10)).isEmpty();
      // and a live row older than the tombstone stays deleted
      assertThat(store.apply(List.of(live("a", T0 + 7, 1, 0, "b")))).isZero();
      assertThat(store.vectors().size(T)).isZero();
    }
  }

  @Test
  void theNewestRowOfABatchWinsWhateverItsPosition() throws Exception {
    try (var store = open()) {
      store.apply(List.of(live("a", T0 + 9, 0, 1, "z"), live("a", T0 + 3, 1, 0, "y")));
      assertThat(nearest(store, 0, 1)).isEqualTo("a");
      assertThat(store.graph().neighbors(T, "a", Direction.OUTGOING, Set.of(), 10))
          .extracting(e -> e.to())
          .containsExactly("z");
    }
  }

  @Test
  void aValueThatIsNotAnEntityOfTheKeyIsRefusedBeforeAnythingIsWritten() throws Exception {
    try (var store = open()) {
      var bad = Row.live(RowKey.of(T, "a"), T0, new byte[] {(byte) 0xff, 0x01});
      assertThatThrownBy(() -> store.apply(List.of(live("ok", T0, 1, 0, "b"), bad)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("t/a");
      var otherKey = Row.live(RowKey.of(T, "a"), T0, live("b", T0, 1, 0, "c").value());
      assertThatThrownBy(() -> store.apply(List.of(otherKey)))
          .hasMessageContaining("of another key");
      assertThat(store.storage().get(T, "ok")).isEmpty();
    }
  }

  /**
   * Random versions of a few keys applied by several threads in random order; afterwards storage,
   * the vector index and the graph index all hold each key's oracle winner.
   */
  @Test
  void concurrentOutOfOrderAppliesConvergeOnTheOracleWinner() throws Exception {
    long seed = Long.getLong("tests.seed", new Random().nextLong());
    System.out.println(
        "[seed] concurrentOutOfOrderAppliesConvergeOnTheOracleWinner -Dtests.seed=" + seed);
    var rnd = new Random(seed);
    var rows = new ArrayList<Row>();
    var oracle = new HashMap<RowKey, Row>();
    for (int i = 0; i < 600; i++) {
      String id = "k" + rnd.nextInt(20);
      long ts = T0 + rnd.nextInt(400); // collisions exercise the tie-break too
      Row r =
          rnd.nextInt(5) == 0
              ? Row.tombstone(RowKey.of(T, id), ts)
              : live(id, ts, rnd.nextFloat() + 0.1f, rnd.nextFloat(), "n" + rnd.nextInt(5));
      rows.add(r);
      oracle.merge(r.key(), r, LastWriteWins::resolve);
    }
    Collections.shuffle(rows, rnd);
    try (var store = open()) {
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        var futures = new ArrayList<Future<?>>();
        for (int t = 0; t < 4; t++) {
          List<Row> slice = rows.subList(t * 150, (t + 1) * 150);
          futures.add(
              pool.submit(
                  () -> {
                    for (int i = 0; i < slice.size(); i += 3) {
                      store.apply(slice.subList(i, Math.min(slice.size(), i + 3)));
                    }
                    return null;
                  }));
        }
        for (Future<?> f : futures) {
          f.get(60, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      int liveCount = 0;
      for (Map.Entry<RowKey, Row> e : oracle.entrySet()) {
        Row want = e.getValue();
        assertThat(store.storage().getRow(e.getKey())).as("%s", e.getKey()).contains(want);
        String id = e.getKey().id();
        var out = store.graph().neighbors(T, id, Direction.OUTGOING, Set.of(), 10);
        if (want.tombstone()) {
          assertThat(out).as("edges of deleted %s", id).isEmpty();
        } else {
          liveCount++;
          Entity entity = EntityCodec.decode(want.value());
          assertThat(out)
              .as("edges of %s", id)
              .extracting(x -> x.to())
              .containsExactly(entity.getOutgoingEdges(0).getToEntity());
          var v = entity.getEmbeddings(0);
          var hit =
              store
                  .vectors()
                  .search(T, new float[] {v.getVector(0), v.getVector(1)}, 1, 50, id::equals);
          assertThat(hit).as("vector of %s", id).hasSize(1);
          assertThat(hit.get(0).similarity()).as("vector of %s", id).isGreaterThan(0.9999f);
        }
      }
      assertThat(store.vectors().size(T)).isEqualTo(liveCount);
    }
  }

  private static String nearest(EntityStore store, float x, float y) {
    return store.vectors().search(T, new float[] {x, y}, 1, 10, null).get(0).entityId();
  }

  private static Row live(String id, long ts, float x, float y, String target) {
    Entity e =
        Entity.newBuilder()
            .setEntityId(id)
            .setTenantId(T)
            .addEmbeddings(VectorEmbedding.newBuilder().addVector(x).addVector(y))
            .addOutgoingEdges(GraphEdge.newBuilder().setToEntity(target).setWeight(0.5))
            .build();
    return Row.live(RowKey.of(T, id), ts, EntityCodec.encode(e));
  }
}
