package io.allidb.dataplane.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node finds its own files in the operator's per-pod Secret layout, and the usual ones else. */
class TlsFilesTest {
  @TempDir Path dir;

  @Test
  void picksTheFilesNamedAfterTheNodeWhenPresent() throws Exception {
    Files.writeString(dir.resolve("db-a-0.tls.crt"), "x");
    Files.writeString(dir.resolve("db-a-1.tls.crt"), "y");

    var files = TlsFiles.inDirectory(dir, "db-a-1");

    assertThat(files.certificateChain()).isEqualTo(dir.resolve("db-a-1.tls.crt"));
    assertThat(files.privateKey()).isEqualTo(dir.resolve("db-a-1.tls.key"));
    assertThat(files.trustBundle()).isEqualTo(dir.resolve("ca.crt"));
  }

  @Test
  void fallsBackToTheCertManagerLayout() {
    assertThat(TlsFiles.inDirectory(dir, "db-a-0").certificateChain())
        .isEqualTo(dir.resolve("tls.crt"));
    assertThat(TlsFiles.inDirectory(dir, null).privateKey()).isEqualTo(dir.resolve("tls.key"));
  }
}
