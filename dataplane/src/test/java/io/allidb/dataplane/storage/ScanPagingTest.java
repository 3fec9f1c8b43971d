package io.allidb.dataplane.storage;

import static io.allidb.dataplane.testing.Entities.doc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.allidb.api.proto.Entity;
import io.allidb.dataplane.storage.StorageOptions.CompactionOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scans page by opaque position tokens that stay valid across flushes and compactions. */
class ScanPagingTest {
  @TempDir Path dir;

  private StorageEngine open() throws Exception {
    return StorageEngine.open(
        StorageOptions.builder(dir)
            .blockBytes(512)
            .compaction(CompactionOptions.defaults().withEnabled(false))
            .build());
  }

  @Test
  void pagesResumeAfterTheLastKeyAcrossFlushCompactionAndConcurrentWrites() throws Exception {
    try (var engine = open()) {
      for (int i = 0; i < 100; i += 2) {
        engine.put("t", doc(id(i), "v"));
        engine.put("other", doc(id(i), "other tenant"));
      }
      var seen = new ArrayList<String>();
      String token = "";
      int page = 0;
      do {
        ScanPage p = engine.scan("t", "", "", 7, token);
        assertThat(p.entities()).hasSizeLessThanOrEqualTo(7);
        p.entities().forEach(e -> seen.add(e.getEntityId()));
        token = p.nextPageToken();
        switch (page++ % 4) {
          case 0 -> engine.flush();
          case 1 -> engine.compact();
          case 2 -> {
            // an insert behind the cursor is not seen, one ahead of it is
            engine.put("t", doc(id(1), "behind"));
            engine.put("t", doc(id(99), "ahead"));
          }
          default -> engine.delete("t", id(98));
        }
      } while (!token.isEmpty());
      var expected = new ArrayList<String>();
      for (int i = 0; i < 98; i += 2) {
        expected.add(id(i));
      }
      expected.add(id(99));
      assertThat(seen).isEqualTo(expected);
    }
  }

  @Test
  void startAndEndBoundTheRangeAndNeverLeaveTheTenant() throws Exception {
    try (var engine = open()) {
      for (String t : List.of("a", "ab", "b")) {
        for (int i = 0; i < 10; i++) {
          engine.put(t, doc(id(i), t));
        }
      }
      engine.flush();
      List<Entity> page = engine.scan("a", id(3), id(7), 100, "").entities();
      assertThat(page).extracting(Entity::getEntityId).containsExactly(id(3), id(4), id(5), id(6));
      assertThat(engine.scan("a", "", "", 100, "").entities())
          .hasSize(10)
          .allSatisfy(e -> assertThat(e.getTenantId()).isEqualTo("a"));
      assertThat(engine.scan("nobody", "", "", 100, "").entities()).isEmpty();
    }
  }

  @Test
  void rejectsForeignMalformedAndTamperedTokensAndBadLimits() throws Exception {
    try (var engine = open()) {
      for (int i = 0; i < 5; i++) {
        engine.put("t", doc(id(i), "v"));
      }
      String token = engine.scan("t", "", "", 2, "").nextPageToken();
      assertThat(token).isNotEmpty().doesNotContain(id(1));
      assertThatThrownBy(() -> engine.scan("u", "", "", 2, token))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("another tenant");
      assertThatThrownBy(() -> engine.scan("t", "", "", 2, "!!!"))
          .hasMessageContaining("invalid page token");
      String tampered =
          token.substring(0, token.length() - 2) + (token.endsWith("A") ? "BB" : "AA");
      assertThatThrownBy(() -> engine.scan("t", "", "", 2, tampered))
          .hasMessageContaining("invalid page token");
      assertThatThrownBy(() -> engine.scan("t", "", "", 0, "")).hasMessageContaining("limit");
    }
  }

  private static String id(int i) {
    return String.format("id-%03d", i);
  }
}
