package io.allidb.operator.ring;

/**
 * How to reach one node's admin API: its pod and a stable DNS name (never the pod IP, which changes
 * on restart).
 */
public record NodeAddress(String pod, String host, int port) {
  @Override
  public String toString() {
    return pod + "@" + host + ":" + port;
  }
}
