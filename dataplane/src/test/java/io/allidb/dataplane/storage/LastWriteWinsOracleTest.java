package io.allidb.dataplane.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.api.proto.Entity;
import io.allidb.dataplane.storage.StorageOptions.CompactionOptions;
import io.allidb.dataplane.storage.row.LastWriteWins;
import io.allidb.dataplane.storage.row.Row;
import io.allidb.dataplane.storage.row.RowKey;
import io.allidb.dataplane.storage.wal.DurabilityMode;
import io.allidb.dataplane.testing.Entities;
import io.allidb.dataplane.testing.Seeds;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model-based test: random writes with out-of-order timestamps, deletes, flushes, compactions and
 * restarts against a {@link TreeMap} oracle that applies {@link LastWriteWins} directly. After
 * every phase, every key's winning row and every tenant's scan must match the oracle exactly.
 */
class LastWriteWinsOracleTest {
  private static final String[] TENANTS = {"alpha", "beta", "gamma"};
  private static final long BASE_MICROS = System.currentTimeMillis() * 1000;

  @TempDir Path dir;

  @Test
  void engineAgreesWithOracleWhateverTheArrivalOrder() throws Exception {
    long seed = Seeds.seed("engineAgreesWithOracleWhateverTheArrivalOrder");
    var rnd = new Random(seed);
    var oracle = new TreeMap<RowKey, Row>();
    var options =
        StorageOptions.builder(dir)
            .durability(DurabilityMode.NONE)
            .memtableBytes(32 << 10)
            .blockBytes(1024)
            .walSegmentBytes(16 << 10)
            .compaction(CompactionOptions.defaults().withThresholds(2, 8).withBytesPerSecond(0))
            .build();
    var engine = StorageEngine.open(options);
    try {
      for (int op = 0; op < 6_000; op++) {
        int dice = rnd.nextInt(1000);
        if (dice < 8) {
          engine.flush();
        } else if (dice < 11) {
          engine.compact();
        } else if (dice < 13) {
          engine.close();
          engine = StorageEngine.open(options);
          verifyAll(engine, oracle, "after reopen at op " + op + " seed " + seed);
        } else {
          Row row = randomRow(rnd);
          engine.apply(List.of(row));
          oracle.merge(row.key(), row, LastWriteWins::resolve);
        }
        if (op % 500 == 0) {
          verifyAll(engine, oracle, "at op " + op + " seed " + seed);
        }
      }
      verifyAll(engine, oracle, "at end, seed " + seed);
      engine.flush();
      engine.compact();
      verifyAll(engine, oracle, "after final compaction, seed " + seed);
    } finally {
      engine.close();
    }
  }

  private static Row randomRow(Random rnd) {
    var key = RowKey.of(TENANTS[rnd.nextInt(TENANTS.length)], "k" + rnd.nextInt(300));
    // a narrow timestamp range forces collisions, exercising the deterministic tie-break; it sits
    // at "now" so that gc_grace keeps every tombstone the oracle still holds
    long ts = BASE_MICROS + rnd.nextInt(2_000);
    if (rnd.nextInt(5) == 0) {
      return Row.tombstone(key, ts);
    }
    Entity e = Entities.doc(key.id(), "v" + rnd.nextInt(1_000_000) + "x".repeat(rnd.nextInt(200)));
    return Row.live(key, ts, EntityCodec.encode(e.toBuilder().setTenantId(key.tenant()).build()));
  }

  private static void verifyAll(StorageEngine engine, TreeMap<RowKey, Row> oracle, String when)
      throws Exception {
    for (Map.Entry<RowKey, Row> e : oracle.entrySet()) {
      assertThat(engine.getRow(e.getKey()))
          .as("key %s %s", e.getKey(), when)
          .contains(e.getValue());
    }
    for (String tenant : TENANTS) {
      var expected = new ArrayList<String>();
      oracle.forEach(
          (k, r) -> {
            if (k.tenant().equals(tenant) && !r.tombstone()) {
              expected.add(k.id());
            }
          });
      var actual = new ArrayList<String>();
      String token = "";
      do {
        ScanPage page = engine.scan(tenant, "", "", 37, token);
        page.entities().forEach(en -> actual.add(en.getEntityId()));
        token = page.nextPageToken();
      } while (!token.isEmpty());
      assertThat(actual).as("scan of %s %s", tenant, when).isEqualTo(expected);
    }
  }
}
