package io.allidb.dataplane.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The node loads the key-set file the operator writes (testdata/key-set-v1.golden; the operator's
 * {@code KeyLineGoldenTest} renders the same file), and formats its entries to the same lines.
 */
class KeySetFormatGoldenTest {
  static final Path GOLDEN = Path.of("..", "testdata", "key-set-v1.golden");

  @Test
  void loadsTheOperatorsKeySet() throws Exception {
    List<String> lines = Files.readAllLines(GOLDEN);

    var entries = KeySetFormat.parse(lines, "golden");

    assertThat(entries)
        .containsExactly(
            KeySetFormat.entryFor(
                "acme-t3k9z0-a1.test",
                "acme",
                EnumSet.of(Scope.READ, Scope.WRITE),
                null,
                Instant.parse("2026-03-01T00:00:00Z")),
            KeySetFormat.entryFor(
                "globex-t3k9z0-b2.test2",
                "globex",
                EnumSet.of(Scope.READ, Scope.WRITE),
                null,
                null));
    var keyLines = lines.stream().filter(l -> !l.startsWith("#")).toList();
    assertThat(entries.stream().map(KeySetFormat::format).toList()).isEqualTo(keyLines);
  }
}
