package io.allidb.operator.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The operator writes exactly the golden key-set file that the data plane's {@code
 * KeySetFormatGoldenTest} loads (testdata/README.md): the two sides share no code, so this file is
 * their contract.
 */
class KeyLineGoldenTest {
  static final Path GOLDEN = Path.of("..", "testdata", "key-set-v1.golden");

  @Test
  void rendersTheGoldenFile() throws Exception {
    var set =
        new NodeKeySet(
            7,
            List.of(
                KeyLine.of("acme-t3k9z0-a1.test", "acme", Instant.parse("2026-03-01T00:00:00Z")),
                KeyLine.of("globex-t3k9z0-b2.test2", "globex", null)),
            null);

    assertThat(set.render()).isEqualTo(Files.readString(GOLDEN));
  }

  @Test
  void readsTheGoldenFileBack() throws Exception {
    var set = NodeKeySet.parse(Files.readString(GOLDEN), "golden", null);

    assertThat(set.generation()).isEqualTo(7);
    assertThat(set.lines())
        .extracting(KeyLine::id)
        .containsExactly("acme-t3k9z0-a1", "globex-t3k9z0-b2");
    assertThat(set.lines().get(0))
        .isEqualTo(
            KeyLine.of("acme-t3k9z0-a1.test", "acme", Instant.parse("2026-03-01T00:00:00Z")));
  }

  @Test
  void aMalformedLineIsNamedWithoutItsHash() {
    var bad = "# generation: 1\nk1 sha256:zz tenant=a scopes=read\n";

    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> NodeKeySet.parse(bad, "db-node-keys/keys", null))
        .hasMessageContaining("db-node-keys/keys line 2")
        .hasMessageContaining("k1");
  }
}
