package io.allidb.dataplane.security;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;

/**
 * Mints API keys: a 256-bit secret from {@link SecureRandom}, URL-safe Base64 without padding (43
 * characters), presented as {@code <key-id>.<secret>}. Only the hash entry is ever stored.
 * Thread-safe.
 */
public final class ApiKeyGenerator {
  private static final SecureRandom RANDOM = new SecureRandom();

  private ApiKeyGenerator() {}

  /**
   * A new key: what the client sends (shown once) and the entry a key set stores.
   *
   * @param presented {@code <key-id>.<secret>}; {@link #toString()} hides it
   */
  public record Minted(String presented, ApiKeyEntry entry) {
    @Override
    public String toString() {
      return "Minted[" + entry + "]";
    }
  }

  /**
   * Mints a key.
   *
   * @param notBefore null for "valid now"
   * @param expiresAt null for "never"
   * @throws IllegalArgumentException for an invalid id, tenant, scope set or validity window
   */
  public static Minted mint(
      String id, String tenant, Set<Scope> scopes, Instant notBefore, Instant expiresAt) {
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    var entry =
        new ApiKeyEntry(
            id, KeySetFormat.sha256(secret), tenant, scopes, notBefore, expiresAt, false);
    return new Minted(id + "." + secret, entry);
  }
}
