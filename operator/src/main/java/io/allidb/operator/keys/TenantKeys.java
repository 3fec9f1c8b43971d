package io.allidb.operator.keys;

import java.time.Instant;

/**
 * A tenant's keys as its Secret holds them: {@value #KEY} (what applications send, {@code
 * <key-id>.<secret>}) and, while the nodes load a new key, {@value #PENDING}. Issue times are
 * annotations. {@link #toString()} shows key ids only.
 */
public record TenantKeys(
    String current, Instant currentIssuedAt, String pending, Instant pendingIssuedAt) {
  public static final String KEY = "api-key";
  public static final String PENDING = "pending-api-key";
  public static final String ISSUED_AT = "allidb.io/api-key-issued-at";
  public static final String PENDING_ISSUED_AT = "allidb.io/pending-api-key-issued-at";

  public static TenantKeys none() {
    return new TenantKeys(null, null, null, null);
  }

  public static String idOf(String presented) {
    return presented == null ? null : presented.substring(0, presented.indexOf('.'));
  }

  @Override
  public String toString() {
    return "TenantKeys[current=" + idOf(current) + ", pending=" + idOf(pending) + "]";
  }
}
