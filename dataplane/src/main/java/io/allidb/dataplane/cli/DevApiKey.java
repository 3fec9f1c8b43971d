package io.allidb.dataplane.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Creates the key file of a dev node: one random key for tenant {@code default}, so {@code allidb
 * server} works with no setup while still requiring a key. Production keys come from Kubernetes
 * Secrets (TARGET.md decision 10).
 *
 * <p>Thread-safe: stateless.
 */
final class DevApiKey {
  static final String TENANT = "default";
  private static final SecureRandom RANDOM = new SecureRandom();

  private DevApiKey() {}

  /**
   * Writes a new key file readable by its owner only ({@code 0600}, set at creation so the key is
   * never briefly world-readable) and returns the key. Fails if the file already exists.
   */
  static String create(Path file) throws IOException {
    byte[] id = new byte[4];
    byte[] secret = new byte[32];
    RANDOM.nextBytes(id);
    RANDOM.nextBytes(secret);
    String key =
        "dev-"
            + HexFormat.of().formatHex(id)
            + "."
            + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    String body =
        "# AlliDB dev API key, generated at first start. Format: <key-id>.<secret> <tenant>\n"
            + key
            + " "
            + TENANT
            + "\n";
    Files.createDirectories(file.toAbsolutePath().getParent());
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } else {
      Files.createFile(file);
    }
    Files.writeString(file, body, StandardCharsets.UTF_8);
    return key;
  }
}
