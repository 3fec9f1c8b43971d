package io.allidb.dataplane.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * API key to tenant map, loaded from a key file.
 *
 * <p>File format (interim; the security issue replaces it with hashed keys, expiry and rotation):
 * one key per line, {@code <key-id>.<secret> <tenant>}, separated by whitespace; blank lines and
 * lines starting with {@code #} are ignored. Only the key id may ever appear in logs or errors; the
 * secret never does. In memory the keys are held as SHA-256 digests, so lookup is a hash-map probe
 * on the digest rather than a byte-by-byte compare of secrets.
 *
 * <p>Immutable and thread-safe.
 */
public final class ApiKeys {
  private static final Pattern KEY =
      Pattern.compile("([A-Za-z0-9_-]{1,64})\\.([A-Za-z0-9_-]{16,})");
  private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9._-]{1,128}");

  /** Who a key authenticates. */
  public record Principal(String keyId, String tenant) {}

  private final Map<String, Principal> byDigest;

  private ApiKeys(Map<String, Principal> byDigest) {
    this.byDigest = Map.copyOf(byDigest);
  }

  /**
   * Loads a key file.
   *
   * @throws IllegalArgumentException for a malformed line (the message names the line number and
   *     the key id when readable, never the secret), a duplicate key, or a file with no keys
   */
  public static ApiKeys load(Path file) throws IOException {
    return parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
  }

  /** Parses key-file lines; {@code source} names the file in error messages. */
  public static ApiKeys parse(List<String> lines, String source) {
    var map = new HashMap<String, Principal>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split("\\s+");
      var key = KEY.matcher(parts[0]);
      String where = source + " line " + (i + 1);
      if (parts.length != 2 || !key.matches()) {
        throw new IllegalArgumentException(
            where + ": expected '<key-id>.<secret> <tenant>' with a secret of 16+ url-safe chars");
      }
      if (!TENANT.matcher(parts[1]).matches()) {
        throw new IllegalArgumentException(where + ": invalid tenant for key " + key.group(1));
      }
      if (map.put(digest(parts[0]), new Principal(key.group(1), parts[1])) != null) {
        throw new IllegalArgumentException(where + ": duplicate key " + key.group(1));
      }
    }
    if (map.isEmpty()) {
      throw new IllegalArgumentException(source + ": no API keys");
    }
    return new ApiKeys(map);
  }

  /** The principal a presented key authenticates, or empty. */
  public Optional<Principal> authenticate(String presentedKey) {
    return Optional.ofNullable(byDigest.get(digest(presentedKey)));
  }

  /** Number of keys loaded. */
  public int size() {
    return byDigest.size();
  }

  private static String digest(String key) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK ships SHA-256", e);
    }
  }
}
