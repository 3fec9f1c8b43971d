package io.allidb.operator.model;

/** The data plane's ports, fixed so that Services, probes and config agree. */
public final class Ports {
  /**
   * Public gRPC API; also serves grpc.health.v1 for clients and load balancers (not for the
   * kubelet, whose gRPC probe cannot speak TLS).
   */
  public static final int GRPC = 7000;

  /** Node-to-node traffic (replication, hints, streaming, gossip). */
  public static final int INTERNODE = 7001;

  /**
   * REST mirror of the public API; its unauthenticated {@code /livez} and {@code /readyz} answer
   * the kubelet's probes, over HTTPS when TLS is on.
   */
  public static final int HTTP = 7080;

  private Ports() {}
}
