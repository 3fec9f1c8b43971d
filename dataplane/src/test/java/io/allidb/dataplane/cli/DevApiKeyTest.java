package io.allidb.dataplane.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.allidb.dataplane.server.ApiKeys;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dev key of {@code allidb server}: owner-only file, loadable, never overwritten. */
class DevApiKeyTest {
  @TempDir Path dir;

  @Test
  void createsAnOwnerOnlyKeyFileTheServerCanLoad() throws Exception {
    Path file = dir.resolve("data/api-keys");
    String key = DevApiKey.create(file);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(ApiKeys.load(file).authenticate(key))
        .get()
        .extracting(ApiKeys.Principal::tenant)
        .isEqualTo(DevApiKey.TENANT);
  }

  @Test
  void neverOverwritesAnExistingKeyFile() throws Exception {
    Path file = dir.resolve("api-keys");
    String first = DevApiKey.create(file);
    assertThatThrownBy(() -> DevApiKey.create(file)).isInstanceOf(FileAlreadyExistsException.class);
    assertThat(ApiKeys.load(file).authenticate(first)).isPresent();
  }

  @Test
  void helpListsTheServerCommand() {
    assertThat(AlliDbCli.run("--help")).isZero();
    assertThat(AlliDbCli.run("server", "--help")).isZero();
  }
}
