package io.allidb.dataplane.storage.memtable;

import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.dataplane.storage.row.Row;
import io.allidb.dataplane.storage.row.RowIterator;
import io.allidb.dataplane.storage.row.RowKey;
import io.allidb.dataplane.testing.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class MemtableTest {

  @Test
  void keepsTheLastWriteWinsVersionWhateverTheArrivalOrder() {
    var m = new Memtable(1);
    var key = RowKey.of("t", "k");
    m.put(Row.live(key, 20, new byte[] {2}));
    m.put(Row.live(key, 10, new byte[] {1}));
    assertThat(m.get(key)).contains(Row.live(key, 20, new byte[] {2}));
    m.put(Row.tombstone(key, 20));
    assertThat(m.get(key).orElseThrow().tombstone())
        .as("a tombstone wins a timestamp tie")
        .isTrue();
    assertThat(m.size()).isEqualTo(1);
    assertThat(m.maxTimestamp()).isEqualTo(20);
  }

  @Test
  void valuesSpanningManySlabsAndOversizeValuesRoundTrip() throws Exception {
    long seed = Seeds.seed("valuesSpanningManySlabsAndOversizeValuesRoundTrip");
    var rnd = new Random(seed);
    var m = new Memtable(1);
    var expected = new ArrayList<Row>();
    long total = 0;
    for (int i = 0; total < 3L * MemtableArena.SLAB_BYTES; i++) {
      int size = i % 50 == 0 ? MemtableArena.SLAB_BYTES / 2 : rnd.nextInt(4096);
      byte[] value = new byte[size];
      rnd.nextBytes(value);
      var row = Row.live(RowKey.of("t", String.format("k%06d", i)), 1 + i, value);
      m.put(row);
      expected.add(row);
      total += size;
    }
    assertThat(m.bytes()).isGreaterThanOrEqualTo(total);
    var actual = new ArrayList<Row>();
    try (RowIterator it = m.iterator(null, null)) {
      while (it.hasNext()) {
        actual.add(it.next());
      }
    }
    assertThat(actual).as("seed %d", seed).isEqualTo(expected);
  }

  @Test
  void concurrentWritersEachKeepTheirNewestVersion() throws Exception {
    var m = new Memtable(1);
    var newest = new ConcurrentHashMap<RowKey, Row>();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        int writer = w;
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 5_000; i++) {
                    var key = RowKey.of("t", "k" + (i % 100));
                    long ts = (long) i * 4 + writer + 1; // unique timestamps across writers
                    var row = Row.live(key, ts, ("w" + writer + "-" + i).getBytes());
                    m.put(row);
                    newest.merge(key, row, (a, b) -> a.timestamp() >= b.timestamp() ? a : b);
                  }
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    newest.forEach((key, row) -> assertThat(m.get(key)).contains(row));
  }

  @Test
  void rangeIteratorHonoursBounds() throws Exception {
    var m = new Memtable(1);
    for (int i = 0; i < 10; i++) {
      m.put(Row.live(RowKey.of("t", "k" + i), 1, new byte[] {(byte) i}));
    }
    var ids = new ArrayList<String>();
    try (RowIterator it = m.iterator(RowKey.of("t", "k3"), RowKey.of("t", "k6"))) {
      while (it.hasNext()) {
        ids.add(it.next().key().id());
      }
    }
    assertThat(ids).containsExactly("k3", "k4", "k5");
  }
}
