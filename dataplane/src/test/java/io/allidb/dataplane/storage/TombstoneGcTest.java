package io.allidb.dataplane.storage;

import static io.allidb.dataplane.testing.Entities.doc;
import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.dataplane.storage.StorageOptions.CompactionOptions;
import io.allidb.dataplane.storage.row.Row;
import io.allidb.dataplane.storage.row.RowKey;
import io.allidb.dataplane.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tombstones shadow older versions, and compaction drops them only after gc_grace. */
class TombstoneGcTest {
  private static final Duration GC_GRACE = Duration.ofDays(10);

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
  private StorageOptions options;

  @BeforeEach
  void setUp() {
    options =
        StorageOptions.builder(dir)
            .clock(clock)
            .gcGrace(GC_GRACE)
            .compaction(CompactionOptions.defaults().withEnabled(false))
            .build();
  }

  @Test
  void tombstoneSurvivesCompactionWithinGcGrace() throws Exception {
    try (var engine = StorageEngine.open(options)) {
      engine.put("t", doc("x", "v1"));
      engine.flush();
      engine.delete("t", "x");
      engine.flush();
      clock.advance(GC_GRACE.minusHours(1));
      engine.compact();
      assertThat(engine.getRow(RowKey.of("t", "x")).orElseThrow().tombstone()).isTrue();
      assertThat(engine.get("t", "x")).isEmpty();
    }
  }

  @Test
  void tombstoneAndShadowedVersionAreBothDroppedAfterGcGrace() throws Exception {
    try (var engine = StorageEngine.open(options)) {
      engine.put("t", doc("x", "v1"));
      engine.put("t", doc("keep", "k"));
      engine.flush();
      engine.delete("t", "x");
      engine.flush();
      clock.advance(GC_GRACE.plusHours(1));
      engine.compact();
      assertThat(engine.getRow(RowKey.of("t", "x"))).isEmpty();
      assertThat(engine.get("t", "keep")).isPresent();
      assertThat(engine.stats().liveSSTables()).isEqualTo(1);
    }
  }

  @Test
  void tombstoneIsKeptAfterGcGraceWhileAnOlderVersionLivesOutsideTheCompaction() throws Exception {
    try (var engine = StorageEngine.open(options)) {
      var key = RowKey.of("t", "x");
      engine.put("t", doc("x", "v1"));
      long deletedAt = engine.delete("t", "x");
      engine.flush();
      // an older version arrives late (a replica, a hint) and sits in the memtable
      var late =
          Row.live(
              key,
              deletedAt - 10,
              EntityCodec.encode(doc("x", "late").toBuilder().setTenantId("t").build()));
      engine.apply(List.of(late));
      clock.advance(GC_GRACE.plusDays(1));
      engine.compact();
      assertThat(engine.getRow(key).orElseThrow().tombstone())
          .as("dropping the tombstone would resurrect the memtable's older version")
          .isTrue();
      assertThat(engine.get("t", "x")).isEmpty();
      engine.flush();
      engine.compact();
      assertThat(engine.get("t", "x")).isEmpty();
      assertThat(engine.getRow(key)).as("both gone once merged together").isEmpty();
    }
  }

  @Test
  void expiredRowsArePurgedAfterGcGrace() throws Exception {
    try (var engine = StorageEngine.open(options)) {
      engine.put("t", doc("ttl", "x"), Duration.ofHours(1));
      engine.flush();
      clock.advance(Duration.ofHours(2));
      engine.compact();
      assertThat(engine.getRow(RowKey.of("t", "ttl"))).as("within gc_grace: kept").isPresent();
      clock.advance(GC_GRACE);
      engine.compact();
      assertThat(engine.getRow(RowKey.of("t", "ttl"))).isEmpty();
    }
  }
}
