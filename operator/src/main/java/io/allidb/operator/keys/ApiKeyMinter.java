package io.allidb.operator.keys;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;

/**
 * Mints API keys as the data plane's {@code ApiKeyGenerator} does: 256 random bits from {@link
 * SecureRandom}, URL-safe Base64 without padding, presented as {@code <key-id>.<secret>}. The id
 * names the tenant and the issue time (public; it appears in logs), cut to the 64-character limit.
 */
public final class ApiKeyMinter {
  private static final SecureRandom RANDOM = new SecureRandom();

  private ApiKeyMinter() {}

  public static String mint(String tenant, Instant now) {
    var raw = new byte[32];
    RANDOM.nextBytes(raw);
    var secret = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    var suffix =
        "-"
            + Long.toString(now.getEpochSecond(), 36)
            + "-"
            + Integer.toString(RANDOM.nextInt(36 * 36 * 36), 36);
    var prefix =
        tenant.length() + suffix.length() > 64 ? tenant.substring(0, 64 - suffix.length()) : tenant;
    return (prefix + suffix).toLowerCase(Locale.ROOT) + "." + secret;
  }
}
