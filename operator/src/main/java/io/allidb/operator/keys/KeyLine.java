package io.allidb.operator.keys;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One line of the data plane's key-set format, version 1 ({@code
 * io.allidb.dataplane.security.KeySetFormat}), in the subset the operator writes:
 *
 * <pre>
 * &lt;key-id&gt; sha256:&lt;64 hex&gt; tenant=&lt;tenant&gt; scopes=read,write [expires=&lt;instant&gt;]
 * </pre>
 *
 * <p>The operator module does not depend on the data plane, so both sides are pinned to one golden
 * file ({@code testdata/key-set-v1.golden}): {@code KeyLineGoldenTest} here and {@code
 * KeySetFormatGoldenTest} in the data plane read it; a change to either side fails one of them.
 *
 * @param secretSha256 SHA-256 of the secret part of {@code <key-id>.<secret>}
 * @param expires instant from which nodes refuse the key, or null
 */
public record KeyLine(
    String id, byte[] secretSha256, String tenant, String scopes, Instant expires) {
  static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  static final String SCOPES = "read,write";

  public KeyLine {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(tenant, "tenant");
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException("key id must match " + ID + "; got '" + id + "'");
    }
    if (secretSha256.length != 32) {
      throw new IllegalArgumentException("key " + id + ": hash must be 32 bytes");
    }
    secretSha256 = secretSha256.clone();
  }

  /** The line for a presented key {@code <key-id>.<secret>}. */
  public static KeyLine of(String presented, String tenant, Instant expires) {
    int dot = presented.indexOf('.');
    if (dot <= 0 || dot == presented.length() - 1) {
      throw new IllegalArgumentException("expected <key-id>.<secret>");
    }
    return new KeyLine(
        presented.substring(0, dot), sha256(presented.substring(dot + 1)), tenant, SCOPES, expires);
  }

  /** The line for a presented key with other scopes than {@value #SCOPES} (e.g. {@code admin}). */
  public static KeyLine of(String presented, String tenant, String scopes, Instant expires) {
    var line = of(presented, tenant, expires);
    return new KeyLine(line.id, line.secretSha256, tenant, scopes, expires);
  }

  public KeyLine withExpires(Instant instant) {
    return new KeyLine(id, secretSha256, tenant, scopes, instant);
  }

  public String format() {
    var sb =
        new StringBuilder(id)
            .append(" sha256:")
            .append(HexFormat.of().formatHex(secretSha256))
            .append(" tenant=")
            .append(tenant)
            .append(" scopes=")
            .append(scopes);
    if (expires != null) {
      sb.append(" expires=").append(expires);
    }
    return sb.toString();
  }

  /**
   * Reads a line the operator wrote.
   *
   * @throws IllegalArgumentException naming {@code where} and the key id, never a hash
   */
  public static KeyLine parse(String line, String where) {
    var f = line.strip().split("\\s+");
    if (f.length < 4 || !f[1].startsWith("sha256:")) {
      throw new IllegalArgumentException(where + ": not a key line written by the operator");
    }
    String tenant = null;
    String scopes = null;
    Instant expires = null;
    for (int i = 2; i < f.length; i++) {
      var eq = f[i].indexOf('=');
      var name = eq < 0 ? f[i] : f[i].substring(0, eq);
      var value = eq < 0 ? "" : f[i].substring(eq + 1);
      switch (name) {
        case "tenant" -> tenant = value;
        case "scopes" -> scopes = value;
        case "expires" -> {
          try {
            expires = Instant.parse(value);
          } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(where + ": key " + f[0] + ": bad expires");
          }
        }
        default ->
            throw new IllegalArgumentException(
                where + ": key " + f[0] + ": unexpected field " + name);
      }
    }
    if (tenant == null || scopes == null) {
      throw new IllegalArgumentException(
          where + ": key " + f[0] + ": tenant= and scopes= required");
    }
    try {
      return new KeyLine(f[0], HexFormat.of().parseHex(f[1].substring(7)), tenant, scopes, expires);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": key " + f[0] + ": bad hash or id");
    }
  }

  static byte[] sha256(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK ships SHA-256", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyLine k
        && id.equals(k.id)
        && Arrays.equals(secretSha256, k.secretSha256)
        && tenant.equals(k.tenant)
        && scopes.equals(k.scopes)
        && Objects.equals(expires, k.expires);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, tenant, scopes, expires);
  }

  @Override
  public String toString() {
    return "KeyLine[" + id + ", tenant=" + tenant + ", expires=" + expires + "]";
  }
}
