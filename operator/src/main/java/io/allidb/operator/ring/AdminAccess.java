package io.allidb.operator.ring;

/**
 * What the operator needs to be admitted by a cluster's nodes: whether their gRPC port serves TLS,
 * whether they require an API key, and the Secret holding the operator's admin credential for that
 * cluster ({@code namespace/secretName}, keys documented on {@link AdminCredentials}).
 */
public record AdminAccess(boolean tls, boolean auth, String namespace, String secretName) {

  /** Plaintext, no API key. */
  public static final AdminAccess NONE = new AdminAccess(false, false, null, null);

  /** Whether the channel needs anything from the Secret. */
  public boolean needsSecret() {
    return tls || auth;
  }
}
