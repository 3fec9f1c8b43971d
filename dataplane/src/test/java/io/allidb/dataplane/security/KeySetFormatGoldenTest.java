package io.allidb.dataplane.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The node loads the key-set file the operator writes (testdata/key-set-v1.golden; the operator's
 * {@code KeyLineGoldenTest} renders the same file), formats its entries to the same lines and reads
 * its generation; files without a generation line (written before generations existed) still load
 * as generation 0, and a malformed generation is refused naming file and line.
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
    assertThat(KeySetFormat.generation(lines, "golden")).isEqualTo(7);
    assertThat(KeySet.load(GOLDEN).generation()).isEqualTo(7);
  }

  @Test
  void aKeySetWithoutGenerationLineIsGenerationZero() {
    // the pre-generation layout: comments and keys only
    List<String> lines =
        List.of(
            "# test keys",
            "# written by hand",
            "a1 sha256:" + "ab".repeat(32) + " tenant=acme scopes=read");

    assertThat(KeySetFormat.parse(lines, "old")).hasSize(1);
    assertThat(KeySetFormat.generation(lines, "old")).isZero();
    assertThat(KeySet.parse(java.util.Map.of("old", lines)).generation()).isZero();
  }

  @Test
  void aMalformedOrRepeatedGenerationLineIsRefusedNamingFileAndLine() {
    for (String bad : List.of("# generation: seven", "# generation: -1", "# generation:")) {
      assertThatThrownBy(() -> KeySetFormat.generation(List.of("# keys", bad), "/etc/keys/keys"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("/etc/keys/keys line 2")
          .hasMessageContaining("non-negative decimal");
    }
    assertThatThrownBy(
            () ->
                KeySetFormat.generation(
                    List.of("# generation: 3", "# generation: 4"), "/etc/keys/keys"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/etc/keys/keys line 2")
        .hasMessageContaining("first is line 1");
  }
}
