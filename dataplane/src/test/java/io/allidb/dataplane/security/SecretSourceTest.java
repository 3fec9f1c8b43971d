package io.allidb.dataplane.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretSourceTest {
  @TempDir Path dir;

  @Test
  void readsTheVariableOrTheFileItNamesAndNeverPrintsTheValue() throws Exception {
    Path f = dir.resolve("openai");
    Files.writeString(f, "sk-from-file\n");
    var src =
        SecretSource.of(Map.of("OPENAI_API_KEY_FILE", f.toString(), "OTHER", "sk-direct-value"));
    var s = src.require("OPENAI_API_KEY");
    assertThat(s.reveal()).isEqualTo("sk-from-file");
    assertThat(s.toString()).doesNotContain("sk-").contains("redacted");
    assertThat(src.require("OTHER").reveal()).isEqualTo("sk-direct-value");
    Files.writeString(f, "sk-rotated\n");
    assertThat(src.require("OPENAI_API_KEY").reveal()).isEqualTo("sk-rotated");
  }

  @Test
  void missingOrEmptySecretsNameTheVariablesNotTheContent() throws Exception {
    assertThat(SecretSource.of(Map.of()).get("X")).isEmpty();
    assertThatThrownBy(() -> SecretSource.of(Map.of()).require("X"))
        .hasMessageContaining("set X or X_FILE");
    Path f = dir.resolve("empty");
    Files.writeString(f, "  \n");
    assertThatThrownBy(() -> SecretSource.of(Map.of("X_FILE", f.toString())).get("X"))
        .hasMessageContaining("is empty");
  }
}
