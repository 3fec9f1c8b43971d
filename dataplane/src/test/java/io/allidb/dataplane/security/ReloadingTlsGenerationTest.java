package io.allidb.dataplane.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.allidb.dataplane.testing.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generation of TLS material comes from the {@code generation} file next to the certificate: 0
 * when missing, adopted only together with material that loads, and a malformed file is refused
 * naming it while the previous material and generation stay.
 */
class ReloadingTlsGenerationTest {
  @TempDir Path dir;
  private final TestPki.Ca ca = TestPki.newCa("generation-ca");
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private ReloadingTls tls;

  @AfterEach
  void stop() {
    if (tls != null) {
      tls.close();
    }
    scheduler.shutdownNow();
  }

  private ReloadingTls open() throws IOException {
    // an hour: only reloadNow() reads the files in this test
    tls = ReloadingTls.open(TlsFiles.inDirectory(dir), Duration.ofHours(1), scheduler, false, null);
    return tls;
  }

  @Test
  void aMissingGenerationFileIsGenerationZeroAndANewOneIsReadOnReload() throws Exception {
    TestPki.write(dir, ca.issue("node"), ca);
    open();
    assertThat(tls.generation()).isZero();

    TestPki.write(dir, ca.issue("node"), ca);
    TestPki.writeGeneration(dir, 5);
    tls.reloadNow();

    assertThat(tls.generation()).isEqualTo(5);
    assertThat(TlsFiles.inDirectory(dir).generationFile()).isEqualTo(dir.resolve("generation"));
  }

  @Test
  void aGenerationIsNotAdoptedWithMaterialThatDoesNotLoad() throws Exception {
    TestPki.write(dir, ca.issue("node"), ca);
    TestPki.writeGeneration(dir, 1);
    open();
    // the new generation arrives with a certificate whose key is missing from the file
    TestPki.writeGeneration(dir, 2);
    Files.writeString(dir.resolve("tls.key"), "-----BEGIN PRIVATE KEY-----\nnot a key\n");

    assertThatThrownBy(tls::reloadNow)
        .isInstanceOf(IOException.class)
        .hasMessageContaining(dir.resolve("tls.key").toString());
    assertThat(tls.generation()).isEqualTo(1);
  }

  @Test
  void aMalformedGenerationFileIsRefusedNamingIt() throws Exception {
    TestPki.write(dir, ca.issue("node"), ca);
    TestPki.writeGeneration(dir, 3);
    open();
    Files.writeString(dir.resolve("generation"), "four\n");

    assertThatThrownBy(tls::reloadNow)
        .isInstanceOf(IOException.class)
        .hasMessageContaining(dir.resolve("generation").toString())
        .hasMessageContaining("'four'");
    assertThat(tls.generation()).isEqualTo(3);
  }
}
