package io.allidb.dataplane.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.allidb.dataplane.security.KeySet;
import io.allidb.dataplane.security.Principal;
import io.allidb.dataplane.security.Scope;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The dev key of {@code allidb server} and {@code allidb keys}: hashes on the node, key once. */
class DevApiKeyTest {
  @TempDir Path dir;

  @Test
  void createsOwnerOnlyFilesWhereTheNodeHoldsOnlyTheHash() throws Exception {
    Path file = dir.resolve("data/api-keys");
    String key = DevApiKey.create(file);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(Files.readString(file)).doesNotContain(key.substring(key.indexOf('.') + 1));
    Path client = DevApiKey.clientFile(file);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(client)))
        .isEqualTo("rw-------");
    assertThat(Files.readString(client)).contains(key);
    Principal p = KeySet.load(file).authenticate(key, Instant.now());
    assertThat(p.tenant()).isEqualTo(DevApiKey.TENANT);
    assertThat(p.scopes()).containsExactlyInAnyOrder(Scope.values());
  }

  @Test
  void neverOverwritesAnExistingKeyFile() throws Exception {
    Path file = dir.resolve("api-keys");
    String first = DevApiKey.create(file);
    assertThatThrownBy(() -> DevApiKey.create(file)).isInstanceOf(FileAlreadyExistsException.class);
    assertThat(KeySet.load(file).authenticate(first, Instant.now()).tenant())
        .isEqualTo(DevApiKey.TENANT);
  }

  @Test
  void keysCreatePrintsTheKeyOnceAndAppendsOnlyTheHashEntry() throws Exception {
    Path set = dir.resolve("keys/set");
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    var cli = new CommandLine(new AlliDbCli());
    cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
    cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    int rc =
        cli.execute(
            "keys",
            "create",
            "--id",
            "ingest-1",
            "--tenant",
            "acme",
            "--scopes",
            "write",
            "--expires-in",
            "2160h",
            "--key-set",
            set.toString());
    assertThat(rc).isZero();
    String key = out.toString(StandardCharsets.UTF_8).strip();
    assertThat(key).startsWith("ingest-1.").hasSizeGreaterThan(40);
    String secret = key.substring(key.indexOf('.') + 1);
    assertThat(Files.readString(set)).doesNotContain(secret).contains("ingest-1 sha256:");
    assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain(secret);
    Principal p = KeySet.load(set).authenticate(key, Instant.now());
    assertThat(p.scopes()).containsExactly(Scope.WRITE);
  }

  @Test
  void keysMigrateRewritesLegacyLinesAsHashesTheSameKeysStillOpen() throws Exception {
    Path legacy = dir.resolve("old");
    String key = "old-1.abcdefghijklmnopqrstuvwxyz012345";
    Files.writeString(legacy, key + " acme\n");
    Path out = dir.resolve("new");
    assertThat(
            new CommandLine(new AlliDbCli())
                .execute("keys", "migrate", "--in", legacy.toString(), "--out", out.toString()))
        .isZero();
    assertThat(Files.readString(out)).doesNotContain("abcdefghijklmnop");
    assertThat(KeySet.load(out).authenticate(key, Instant.now()).tenant()).isEqualTo("acme");
  }

  @Test
  void helpListsTheServerCommand() {
    assertThat(AlliDbCli.run("--help")).isZero();
    assertThat(AlliDbCli.run("server", "--help")).isZero();
    assertThat(AlliDbCli.run("keys", "--help")).isZero();
  }
}
