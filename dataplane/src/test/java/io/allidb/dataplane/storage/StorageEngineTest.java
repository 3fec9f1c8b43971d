package io.allidb.dataplane.storage;

import static io.allidb.dataplane.testing.Entities.doc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.allidb.api.proto.Entity;
import io.allidb.dataplane.storage.row.Row;
import io.allidb.dataplane.storage.row.RowKey;
import io.allidb.dataplane.storage.wal.DurabilityMode;
import io.allidb.dataplane.testing.MutableClock;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StorageEngineTest {
  @TempDir Path dir;

  private StorageEngine open() throws Exception {
    return StorageEngine.open(StorageOptions.builder(dir).build());
  }

  @Test
  void putThenGetReturnsTheEntityWithItsTenant() throws Exception {
    try (var engine = open()) {
      engine.put("acme", doc("a", "hello"));
      Entity got = engine.get("acme", "a").orElseThrow();
      assertThat(got.getChunks(0).getText()).isEqualTo("hello");
      assertThat(got.getTenantId()).isEqualTo("acme");
      assertThat(engine.get("acme", "missing")).isEmpty();
    }
  }

  @Test
  void sameIdInTwoTenantsNeverCollides() throws Exception {
    try (var engine = open()) {
      engine.put("t1", doc("same", "one"));
      engine.put("t2", doc("same", "two"));
      engine.flush();
      engine.put("t1", doc("same", "one-v2"));
      assertThat(engine.get("t1", "same").orElseThrow().getChunks(0).getText()).isEqualTo("one-v2");
      assertThat(engine.get("t2", "same").orElseThrow().getChunks(0).getText()).isEqualTo("two");
    }
  }

  @Test
  void newerMemtableVersionWinsOverFlushedVersion() throws Exception {
    // The original hid every memtable update once an entity had been flushed.
    try (var engine = open()) {
      engine.put("t", doc("doc-001", "old"));
      engine.flush();
      engine.put("t", doc("doc-001", "new"));
      assertThat(engine.get("t", "doc-001").orElseThrow().getChunks(0).getText()).isEqualTo("new");
      engine.flush();
      engine.compact();
      assertThat(engine.get("t", "doc-001").orElseThrow().getChunks(0).getText()).isEqualTo("new");
    }
  }

  @Test
  void compactionKeepsTheNewestVersionNotTheLargest() throws Exception {
    // The original kept the bigger payload: an older version with a chunk beat a newer one without.
    try (var engine = open()) {
      engine.put("t", doc("doc-001", "a much longer older version ".repeat(50)));
      engine.flush();
      engine.put("t", Entity.newBuilder().setEntityId("doc-001").setImportance(0.9).build());
      engine.flush();
      engine.compact();
      Entity got = engine.get("t", "doc-001").orElseThrow();
      assertThat(got.getImportance()).isEqualTo(0.9);
      assertThat(got.getChunksCount()).isZero();
    }
  }

  @Test
  void dataSurvivesCloseAndReopenFromWalAndSSTables() throws Exception {
    try (var engine = open()) {
      engine.put("t", doc("flushed", "f"));
      engine.flush();
      engine.put("t", doc("in-wal", "w"));
      engine.delete("t", "flushed");
    }
    try (var engine = open()) {
      assertThat(engine.get("t", "flushed")).isEmpty();
      assertThat(engine.get("t", "in-wal").orElseThrow().getChunks(0).getText()).isEqualTo("w");
    }
  }

  @Test
  void timestampsStayMonotonicAcrossRestartEvenWhenTheWallClockStepsBack() throws Exception {
    var clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
    long first;
    try (var engine = StorageEngine.open(StorageOptions.builder(dir).clock(clock).build())) {
      first = engine.put("t", doc("a", "v1"));
      engine.flush();
    }
    clock.set(Instant.parse("2020-01-01T00:00:00Z"));
    try (var engine = StorageEngine.open(StorageOptions.builder(dir).clock(clock).build())) {
      long second = engine.put("t", doc("a", "v2"));
      assertThat(second).isGreaterThan(first);
      assertThat(engine.get("t", "a").orElseThrow().getChunks(0).getText()).isEqualTo("v2");
    }
  }

  @Test
  void deleteIsVisibleImmediatelyAndShadowsOlderVersionsEverywhere() throws Exception {
    try (var engine = open()) {
      engine.put("t", doc("x", "v1"));
      engine.flush();
      engine.delete("t", "x");
      assertThat(engine.get("t", "x")).isEmpty();
      engine.flush();
      assertThat(engine.get("t", "x")).isEmpty();
      engine.compact();
      assertThat(engine.get("t", "x")).isEmpty();
      assertThat(engine.getRow(RowKey.of("t", "x")).orElseThrow().tombstone())
          .as("inside gc_grace the tombstone survives compaction")
          .isTrue();
    }
  }

  @Test
  void expiredRowsReadAsDeleted() throws Exception {
    var clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
    try (var engine = StorageEngine.open(StorageOptions.builder(dir).clock(clock).build())) {
      engine.put("t", doc("ttl", "short-lived"), Duration.ofMinutes(5));
      assertThat(engine.get("t", "ttl")).isPresent();
      clock.advance(Duration.ofMinutes(6));
      assertThat(engine.get("t", "ttl")).isEmpty();
      assertThat(engine.scan("t", "", "", 10, "").entities()).isEmpty();
    }
  }

  @Test
  void applyKeepsTheNewestRowWhateverTheArrivalOrder() throws Exception {
    try (var engine = open()) {
      var key = RowKey.of("t", "k");
      var newer = Row.live(key, 2_000, EntityCodec.encode(doc("k", "newer")));
      var older = Row.live(key, 1_000, EntityCodec.encode(doc("k", "older")));
      engine.apply(List.of(newer));
      engine.flush();
      engine.apply(List.of(older));
      assertThat(engine.get("t", "k").orElseThrow().getChunks(0).getText()).isEqualTo("newer");
      engine.flush();
      engine.compact();
      assertThat(engine.getRow(key)).contains(newer);
    }
  }

  @Test
  void rejectsAnEntityThatNamesAnotherTenant() throws Exception {
    try (var engine = open()) {
      var foreign = doc("a", "x").toBuilder().setTenantId("other").build();
      assertThatThrownBy(() -> engine.put("mine", foreign))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("other")
          .hasMessageContaining("mine");
      assertThat(engine.get("other", "a")).isEmpty();
      assertThat(engine.get("mine", "a")).isEmpty();
    }
  }

  @Test
  void rejectsEmptyAndOversizeIds() throws Exception {
    try (var engine = open()) {
      assertThatThrownBy(() -> engine.put("t", doc("", "x")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("entity id");
      assertThatThrownBy(() -> engine.put("t", doc("x".repeat(RowKey.MAX_ID_BYTES + 1), "x")))
          .hasMessageContaining("entity id");
      assertThatThrownBy(() -> engine.put("", doc("a", "x"))).hasMessageContaining("tenant");
    }
  }

  @Test
  void batchIsWrittenWholeAndReadable() throws Exception {
    try (var engine = open()) {
      engine.putBatch("t", List.of(doc("a", "1"), doc("b", "2"), doc("c", "3")));
      assertThat(engine.scan("t", "", "", 10, "").entities())
          .extracting(Entity::getEntityId)
          .containsExactly("a", "b", "c");
      assertThatThrownBy(() -> engine.putBatch("t", List.of()))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void walSegmentsAreDeletedOnceTheirMemtableIsFlushed() throws Exception {
    var options = StorageOptions.builder(dir).walSegmentBytes(4096).memtableBytes(1 << 20).build();
    try (var engine = StorageEngine.open(options)) {
      for (int i = 0; i < 200; i++) {
        engine.put("t", doc("k" + i, "value " + "x".repeat(100)));
      }
      assertThat(walFiles()).hasSizeGreaterThan(1);
      engine.flush();
      assertThat(walFiles()).hasSize(1); // only the live segment of the new memtable
    }
    try (var engine = StorageEngine.open(options)) {
      assertThat(engine.scan("t", "", "", 1000, "").entities()).hasSize(200);
    }
  }

  @Test
  void memtablesFlushInTheBackgroundWhenFull() throws Exception {
    var options =
        StorageOptions.builder(dir).memtableBytes(64 << 10).durability(DurabilityMode.NONE).build();
    try (var engine = StorageEngine.open(options)) {
      for (int i = 0; i < 2_000; i++) {
        engine.put("t", doc(String.format("k%05d", i), "x".repeat(200)));
      }
      engine.flush();
      assertThat(engine.stats().flushes()).isGreaterThan(1);
      assertThat(engine.scan("t", "", "", 5000, "").entities()).hasSize(2_000);
    }
  }

  @Test
  void exposesPrometheusMetrics() throws Exception {
    var registry = new PrometheusRegistry();
    try (var engine = StorageEngine.open(StorageOptions.builder(dir).metrics(registry).build())) {
      engine.put("t", doc("a", "x"));
      engine.flush();
      var out = new ByteArrayOutputStream();
      new PrometheusTextFormatWriter(false).write(out, registry.scrape());
      String text = out.toString(StandardCharsets.UTF_8);
      assertThat(text)
          .contains("allidb_storage_writes_total 1.0")
          .contains("allidb_storage_wal_fsync_seconds_bucket")
          .contains("allidb_storage_wal_rows_per_fsync_count")
          .contains("allidb_storage_flushes_total 1.0")
          .contains("allidb_storage_sstables_live 1.0")
          .contains("allidb_storage_memtable_bytes");
    }
  }

  @Test
  void refusesToStartWhenSSTablesExistWithoutAManifest() throws Exception {
    try (var engine = open()) {
      engine.put("t", doc("a", "x"));
      engine.flush();
    }
    Files.delete(dir.resolve("MANIFEST"));
    assertThatThrownBy(this::open).hasMessageContaining("no MANIFEST");
  }

  @Test
  void closedEngineRefusesWork() throws Exception {
    var engine = open();
    engine.close();
    assertThatThrownBy(() -> engine.put("t", doc("a", "x"))).hasMessageContaining("closed");
    assertThatThrownBy(() -> engine.get("t", "a")).hasMessageContaining("closed");
  }

  private List<Path> walFiles() throws Exception {
    try (var s = Files.list(dir.resolve("wal"))) {
      return s.filter(p -> p.getFileName().toString().startsWith("wal-")).toList();
    }
  }
}
