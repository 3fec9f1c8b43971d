package io.allidb.dataplane.cli;

import io.allidb.dataplane.security.ApiKeyGenerator;
import io.allidb.dataplane.security.KeySetFormat;
import io.allidb.dataplane.security.Scope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HexFormat;

/**
 * Creates the key set of a dev node: one random key for tenant {@code default} with every scope, so
 * {@code allidb server} works with no setup while still requiring a key. The node's key set file
 * holds only the key's hash; the presented key goes to {@code dev-api-key} beside it, where the
 * local CLI finds it. Production keys come from Kubernetes Secrets (TARGET.md decision 10).
 *
 * <p>Thread-safe: stateless.
 */
final class DevApiKey {
  static final String TENANT = "default";

  /** Name of the client-side file next to the key set that holds the presented dev key. */
  static final String CLIENT_FILE = "dev-api-key";

  private static final SecureRandom RANDOM = new SecureRandom();

  private DevApiKey() {}

  /**
   * Writes a new key set file (its hash entry) and the client file {@link #CLIENT_FILE} beside it,
   * both readable by their owner only ({@code 0600}, set at creation so neither is briefly
   * world-readable), and returns the presented key. Fails if either file already exists.
   */
  static String create(Path keySetFile) throws IOException {
    byte[] id = new byte[4];
    RANDOM.nextBytes(id);
    var minted =
        ApiKeyGenerator.mint(
            "dev-" + HexFormat.of().formatHex(id), TENANT, EnumSet.allOf(Scope.class), null, null);
    Path clientFile = clientFile(keySetFile);
    Files.createDirectories(keySetFile.toAbsolutePath().getParent());
    createOwnerOnly(keySetFile);
    Files.writeString(
        keySetFile,
        "# AlliDB dev API key set, generated at first start (format: docs/security.md)\n"
            + KeySetFormat.format(minted.entry())
            + "\n",
        StandardCharsets.UTF_8);
    createOwnerOnly(clientFile);
    Files.writeString(
        clientFile,
        "# AlliDB dev API key for the local CLI (send as x-allidb-api-key)\n"
            + minted.presented()
            + "\n",
        StandardCharsets.UTF_8);
    return minted.presented();
  }

  /** Where {@link #create} puts the presented key for a key set file. */
  static Path clientFile(Path keySetFile) {
    return keySetFile.toAbsolutePath().resolveSibling(CLIENT_FILE);
  }

  private static void createOwnerOnly(Path file) throws IOException {
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } else {
      Files.createFile(file);
    }
  }
}
