package io.allidb.dataplane.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The key-set line format, version 1. One key per line; blank lines and lines starting with {@code
 * #} are ignored; fields are separated by whitespace:
 *
 * <pre>
 * &lt;key-id&gt; sha256:&lt;64 hex digits&gt; tenant=&lt;tenant&gt; scopes=&lt;read,write,admin&gt; [not-before=&lt;instant&gt;] [expires=&lt;instant&gt;]
 * </pre>
 *
 * <p>One comment line is meaningful: {@code # generation: <n>} (a non-negative decimal number, at
 * most once per file) names the key set's generation, which the node reports as {@code
 * NodeInfo.key_set_generation} so a rotation can wait until every node loaded it ({@link
 * #generation}). The AlliDB operator writes it as the first line. A file without it is generation
 * 0, so files written before generations existed load unchanged; any other comment is ignored.
 *
 * <p>Instants are ISO-8601 UTC ({@code 2026-03-01T00:00:00Z}). The hash is SHA-256 of the secret
 * part of the presented key {@code <key-id>.<secret>} (UTF-8). {@code allidb keys create} prints
 * such a line.
 *
 * <p>For compatibility the pre-security format {@code <key-id>.<secret> <tenant>} is still read:
 * the secret is hashed at load and the key gets scopes {@code read,write}; {@link KeySet} logs a
 * warning naming the key id so operators migrate ({@code allidb keys migrate}).
 *
 * <p>Error messages name the source and line and, when readable, the key id; never a secret.
 * Stateless and thread-safe.
 */
public final class KeySetFormat {
  /** Secrets of legacy lines must be at least this long (the old rule). */
  static final int MIN_LEGACY_SECRET_CHARS = 16;

  private static final String HASH_PREFIX = "sha256:";

  /** {@code # generation: <n>}; spaces around the colon are tolerated, the value is checked. */
  private static final Pattern GENERATION = Pattern.compile("#\\s*generation\\s*:(.*)");

  private KeySetFormat() {}

  /**
   * Parses lines of one file.
   *
   * @param source names the file in error messages
   * @throws IllegalArgumentException for the first malformed line
   */
  public static List<ApiKeyEntry> parse(List<String> lines, String source) {
    var out = new ArrayList<ApiKeyEntry>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String where = source + " line " + (i + 1);
      String[] f = line.split("\\s+");
      if (f.length >= 2 && f[1].startsWith(HASH_PREFIX)) {
        out.add(parseEntry(f, where));
      } else if (f.length == 2 && f[0].indexOf('.') > 0 && !f[1].contains("=")) {
        out.add(parseLegacy(f, where));
      } else {
        throw new IllegalArgumentException(
            where
                + ": expected '<key-id> sha256:<hex> tenant=<t> scopes=<list> [not-before=<instant>]"
                + " [expires=<instant>]' (or the legacy '<key-id>.<secret> <tenant>')");
      }
    }
    return out;
  }

  /**
   * The generation named by the file's {@code # generation: <n>} line; 0 when it has none.
   *
   * @param source names the file in error messages
   * @throws IllegalArgumentException when the number is not a non-negative decimal or the line
   *     appears twice
   */
  public static long generation(List<String> lines, String source) {
    long generation = 0;
    int seenAt = 0;
    for (int i = 0; i < lines.size(); i++) {
      var m = GENERATION.matcher(lines.get(i).strip());
      if (!m.matches()) {
        continue;
      }
      String where = source + " line " + (i + 1);
      if (seenAt > 0) {
        throw new IllegalArgumentException(
            where + ": a second '# generation:' line (the first is line " + seenAt + ")");
      }
      String value = m.group(1).strip();
      // at most 18 digits always fits a long
      if (!value.matches("[0-9]{1,18}")) {
        throw new IllegalArgumentException(
            where + ": '# generation:' needs a non-negative decimal number; got '" + value + "'");
      }
      generation = Long.parseLong(value);
      seenAt = i + 1;
    }
    return generation;
  }

  private static ApiKeyEntry parseEntry(String[] f, String where) {
    String id = f[0];
    if (!ApiKeyEntry.ID.matcher(id).matches()) {
      throw new IllegalArgumentException(where + ": key id must match " + ApiKeyEntry.ID);
    }
    String hex = f[1].substring(HASH_PREFIX.length());
    byte[] hash;
    try {
      hash = HexFormat.of().parseHex(hex);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": key " + id + ": hash is not hex");
    }
    if (hash.length != 32) {
      throw new IllegalArgumentException(
          where + ": key " + id + ": hash must be 64 hex digits (SHA-256); got " + hex.length());
    }
    String tenant = null;
    Set<Scope> scopes = null;
    Instant notBefore = null;
    Instant expires = null;
    for (int j = 2; j < f.length; j++) {
      int eq = f[j].indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            where + ": key " + id + ": expected name=value, got '" + f[j] + "'");
      }
      String name = f[j].substring(0, eq);
      String value = f[j].substring(eq + 1);
      switch (name) {
        case "tenant" -> tenant = value;
        case "scopes" -> scopes = scopes(value, id, where);
        case "not-before" -> notBefore = instant(value, name, id, where);
        case "expires" -> expires = instant(value, name, id, where);
        default ->
            throw new IllegalArgumentException(
                where
                    + ": key "
                    + id
                    + ": unknown field '"
                    + name
                    + "' (tenant, scopes, not-before, expires)");
      }
    }
    if (tenant == null || scopes == null) {
      throw new IllegalArgumentException(
          where + ": key " + id + ": tenant= and scopes= are required");
    }
    try {
      return new ApiKeyEntry(id, hash, tenant, scopes, notBefore, expires, false);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
  }

  private static ApiKeyEntry parseLegacy(String[] f, String where) {
    int dot = f[0].indexOf('.');
    String id = f[0].substring(0, dot);
    String secret = f[0].substring(dot + 1);
    // the message never echoes f[0]: it holds the secret
    if (!ApiKeyEntry.ID.matcher(id).matches()) {
      throw new IllegalArgumentException(where + ": key id must match " + ApiKeyEntry.ID);
    }
    if (secret.length() < MIN_LEGACY_SECRET_CHARS || !secret.matches("[A-Za-z0-9_-]+")) {
      throw new IllegalArgumentException(
          where
              + ": key "
              + id
              + ": the secret must be "
              + MIN_LEGACY_SECRET_CHARS
              + "+ url-safe characters");
    }
    try {
      return new ApiKeyEntry(
          id, sha256(secret), f[1], EnumSet.of(Scope.READ, Scope.WRITE), null, null, true);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
  }

  private static Set<Scope> scopes(String value, String id, String where) {
    try {
      return Scope.parseList(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": key " + id + ": " + e.getMessage(), e);
    }
  }

  private static Instant instant(String value, String field, String id, String where) {
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          where
              + ": key "
              + id
              + ": "
              + field
              + " must be an ISO-8601 instant like 2026-03-01T00:00:00Z; got '"
              + value
              + "'",
          e);
    }
  }

  /** The line for {@code entry} (what {@code allidb keys create} writes). */
  public static String format(ApiKeyEntry entry) {
    var sb =
        new StringBuilder(entry.id())
            .append(' ')
            .append(HASH_PREFIX)
            .append(HexFormat.of().formatHex(entry.secretSha256()))
            .append(" tenant=")
            .append(entry.tenant())
            .append(" scopes=")
            .append(Scope.toList(entry.scopes()));
    if (entry.notBefore() != null) {
      sb.append(" not-before=").append(entry.notBefore());
    }
    if (entry.expiresAt() != null) {
      sb.append(" expires=").append(entry.expiresAt());
    }
    return sb.toString();
  }

  /**
   * The entry of an existing presented key {@code <key-id>.<secret>} (for tools and tests that
   * already hold a key; {@link ApiKeyGenerator} mints new ones).
   *
   * @throws IllegalArgumentException when {@code presented} is not {@code <key-id>.<secret>}
   */
  public static ApiKeyEntry entryFor(
      String presented, String tenant, Set<Scope> scopes, Instant notBefore, Instant expiresAt) {
    int dot = presented.indexOf('.');
    if (dot <= 0 || dot == presented.length() - 1) {
      throw new IllegalArgumentException("expected <key-id>.<secret>");
    }
    return new ApiKeyEntry(
        presented.substring(0, dot),
        sha256(presented.substring(dot + 1)),
        tenant,
        scopes,
        notBefore,
        expiresAt,
        false);
  }

  /** SHA-256 of a secret's UTF-8 bytes. */
  static byte[] sha256(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK ships SHA-256", e);
    }
  }
}
