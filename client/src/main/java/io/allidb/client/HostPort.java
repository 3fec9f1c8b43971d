package io.allidb.client;

/** A {@code host:port} node address ({@code [v6]:port} for IPv6 literals). */
record HostPort(String host, int port) {
  static HostPort parse(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0 || colon == hostPort.length() - 1) {
      throw new IllegalArgumentException(
          "node address '" + hostPort + "' must be host:port (e.g. allidb-0.allidb:7000)");
    }
    String host = hostPort.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(hostPort.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "node address '" + hostPort + "' has a port that is not a number", e);
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(
          "node address '" + hostPort + "' has port " + port + " outside 1..65535");
    }
    return new HostPort(host, port);
  }
}
