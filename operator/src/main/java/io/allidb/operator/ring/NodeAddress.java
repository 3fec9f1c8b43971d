package io.allidb.operator.ring;

/**
 * How to reach one node's admin API: its pod, a stable DNS name (never the pod IP, which changes on
 * restart) and port, and what the channel needs to be admitted ({@link AdminAccess}).
 */
public record NodeAddress(String pod, String host, int port, AdminAccess access) {

  /** A node reached in plaintext without credentials (development clusters, test doubles). */
  public NodeAddress(String pod, String host, int port) {
    this(pod, host, port, AdminAccess.NONE);
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
