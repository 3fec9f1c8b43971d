package io.allidb.operator.ring;

/**
 * The operator's admin credential for one cluster, read from the Secret {@link
 * AdminAccess#secretName()} names. Keys of that Secret:
 *
 * <ul>
 *   <li>{@code api-key}: an API key with the {@code admin} scope, sent as {@code x-allidb-api-key}
 *       (needed when the cluster has auth enabled);
 *   <li>{@code ca.crt}: PEM CA bundle the nodes' client-facing certificate chains to (needed when
 *       the cluster has TLS enabled). The node's name is verified against it as usual.
 * </ul>
 *
 * The values never reach logs, status or events.
 */
@FunctionalInterface
public interface AdminCredentials {

  /**
   * The credential for {@code access}, or throws {@link NodeAdminException} naming the Secret and
   * the missing key when it cannot be read.
   */
  Credential read(AdminAccess access);

  /** The decoded Secret values; either may be null when the cluster does not need it. */
  record Credential(String apiKey, byte[] caPem) {
    @Override
    public String toString() {
      return "Credential[apiKey="
          + (apiKey == null ? "none" : "***")
          + ", ca="
          + (caPem != null)
          + "]";
    }
  }

  /** For clusters without TLS or auth: asking for a credential is an error. */
  AdminCredentials NONE =
      access -> {
        throw new NodeAdminException(
            "no admin credential source configured, but the cluster needs one (Secret "
                + access.namespace()
                + "/"
                + access.secretName()
                + ")");
      };
}
