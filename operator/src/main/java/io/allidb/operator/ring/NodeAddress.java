package io.allidb.operator.ring;

/**
 * How to reach one node's admin API: its pod, a stable DNS name (never the pod IP, which changes on
 * restart) and port, and what the channel needs to be admitted ({@link AdminAccess}).
 *
 * @param tlsName the name the node's certificate must carry, when it is not {@code host} (a node
 *     reached through an address its certificate does not name, e.g. a port-forward or the
 *     simulated cluster's loopback ports); null: {@code host}. The host name is always verified.
 */
public record NodeAddress(String pod, String host, int port, AdminAccess access, String tlsName) {

  /** A node whose certificate names {@code host}. */
  public NodeAddress(String pod, String host, int port, AdminAccess access) {
    this(pod, host, port, access, null);
  }

  /** A node reached in plaintext without credentials (development clusters, test doubles). */
  public NodeAddress(String pod, String host, int port) {
    this(pod, host, port, AdminAccess.NONE, null);
  }

  public NodeAddress {
    if (access == null) {
      access = AdminAccess.NONE;
    }
  }

  /** {@code host:port}, the gRPC target. */
  public String target() {
    return host + ":" + port;
  }

  @Override
  public String toString() {
    return pod + "@" + host + ":" + port;
  }
}
