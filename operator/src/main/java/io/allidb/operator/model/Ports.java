package io.allidb.operator.model;

/** The data plane's ports, fixed so that Services, probes and config agree. */
public final class Ports {
  /** Public gRPC API; also serves grpc.health.v1 for the probes. */
  public static final int GRPC = 7000;

  /** Node-to-node traffic (replication, hints, streaming, gossip). */
  public static final int INTERNODE = 7001;

  /** REST mirror of the public API. */
  public static final int HTTP = 7080;

  private Ports() {}
}
