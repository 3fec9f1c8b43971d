package io.allidb.dataplane.storage;

import static io.allidb.dataplane.testing.Entities.doc;
import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.dataplane.storage.StorageOptions.CompactionOptions;
import io.allidb.dataplane.storage.row.RowKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cleanup (a major compaction with a keep filter) drops every version of refused keys, tombstones
 * included and within gc_grace, keeps every other key as it was, and survives a restart.
 */
class CleanupTest {
  @TempDir Path dir;

  private StorageOptions options() {
    return StorageOptions.builder(dir)
        .compaction(CompactionOptions.defaults().withEnabled(false))
        .build();
  }

  /** Keys k0..k199: even ones are "ours". */
  private static final Predicate<RowKey> EVEN = k -> Integer.parseInt(k.id().substring(1)) % 2 == 0;

  @Test
  void dropsRefusedKeysWithTheirTombstonesAndKeepsTheRest() throws Exception {
    var deleted = new HashSet<Integer>();
    try (var engine = StorageEngine.open(options())) {
      for (int i = 0; i < 200; i++) {
        engine.put("t", doc("k" + i, "v1-" + i));
      }
      engine.flush(); // first versions in one table
      for (int i = 0; i < 200; i += 3) {
        engine.put("t", doc("k" + i, "v2-" + i)); // newer versions in a second table
      }
      engine.flush();
      for (int i = 0; i < 200; i += 7) {
        engine.delete("t", "k" + i); // tombstones, left in the memtable: cleanup flushes them
        deleted.add(i);
      }
      long odd = 100;
      long oddLive = 100 - deleted.stream().filter(i -> i % 2 == 1).count();

      var result = engine.cleanup(EVEN);

      assertThat(result.rowsDropped()).isEqualTo(odd);
      assertThat(result.droppedLive()).hasSize((int) oddLive);
      assertThat(result.bytesDropped()).isPositive();
      assertThat(engine.stats().liveSSTables()).isEqualTo(1);
      assertKept(engine, deleted);
    }
    try (var engine = StorageEngine.open(options())) {
      assertKept(engine, deleted); // the swap went through the manifest
      assertThat(engine.cleanup(EVEN).rowsDropped()).isZero(); // nothing left to drop
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.filter(p -> p.toString().endsWith(".tmp")).toList()).isEmpty();
    }
  }

  private static void assertKept(StorageEngine engine, Set<Integer> deleted) throws Exception {
    for (int i = 0; i < 200; i++) {
      var row = engine.getRow(RowKey.of("t", "k" + i));
      if (i % 2 == 1) {
        assertThat(row).as("k%d is not ours: every version dropped", i).isEmpty();
      } else if (deleted.contains(i)) {
        assertThat(row.orElseThrow().tombstone()).as("k%d keeps its tombstone", i).isTrue();
      } else {
        String want = (i % 3 == 0 ? "v2-" : "v1-") + i;
        assertThat(engine.get("t", "k" + i).orElseThrow().toString()).contains(want);
      }
    }
  }

  @Test
  void aCleanupOfAnEmptyEngineDropsNothing() throws Exception {
    try (var engine = StorageEngine.open(options())) {
      assertThat(engine.cleanup(k -> false).rowsDropped()).isZero();
    }
  }
}
