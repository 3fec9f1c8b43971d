package io.allidb.dataplane.cluster.transport;

import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC server on a node's internode port, hosting the {@code Internode} service (see {@link
 * InternodeService}). Separate from the public API server so that the security issue can require a
 * node certificate here and nothing else.
 *
 * <p>Lifecycle: {@link #start()} once, {@link #close()} (idempotent) stops accepting calls and
 * waits up to the shutdown grace for calls in flight. Start it before the gossiper, so peers that
 * learn of this node can reach it, and close it after. Thread-safe.
 */
public final class InternodeServer implements AutoCloseable {
  /** The internode port when none is configured (the public API is 7000, REST 7080). */
  public static final int DEFAULT_PORT = 7001;

  private static final Logger logger = LoggerFactory.getLogger(InternodeServer.class);

  private final Builder config;
  private Server server;
  private boolean closed;

  private InternodeServer(Builder b) {
    this.config = b;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Binds the port and starts serving.
   *
   * @throws IOException when the port is taken
   */
  public synchronized InternodeServer start() throws IOException {
    if (server != null) {
      throw new IllegalStateException("already started");
    }
    server =
        NettyServerBuilder.forAddress(
                new InetSocketAddress(config.bindAddress, config.port), config.credentials)
            .maxInboundMessageSize(config.maxInboundMessageBytes)
            // peers ping idle connections every 30 s (PooledPeers); allow it with margin
            .permitKeepAliveTime(10, TimeUnit.SECONDS)
            .permitKeepAliveWithoutCalls(true)
            .addService(new InternodeService(config.gossip, config.replicas))
            .build()
            .start();
    logger.info("internode service listening on {}:{}", config.bindAddress, server.getPort());
    return this;
  }

  /** The bound port (useful with port 0). */
  public int port() {
    return server.getPort();
  }

  @Override
  public synchronized void close() {
    if (closed || server == null) {
      return;
    }
    closed = true;
    server.shutdown();
    try {
      if (!server.awaitTermination(config.shutdownGrace.toMillis(), TimeUnit.MILLISECONDS)) {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /** Builder; a gossip receiver and a security choice are required. */
  public static final class Builder {
    private String bindAddress = "0.0.0.0";
    private int port = DEFAULT_PORT;
    private ServerCredentials credentials;
    private GossipReceiver gossip;
    private ReplicaHandler replicas;
    private int maxInboundMessageBytes = 16 << 20;
    private Duration shutdownGrace = Duration.ofSeconds(5);

    private Builder() {}

    public Builder bindAddress(String v) {
      this.bindAddress = Objects.requireNonNull(v);
      return this;
    }

    /** Port to listen on (default {@value #DEFAULT_PORT}); 0 picks a free one. */
    public Builder port(int v) {
      if (v < 0 || v > 65535) {
        throw new IllegalArgumentException("port must be in [0, 65535]; got " + v);
      }
      this.port = v;
      return this;
    }

    /** Server credentials (mTLS in production). */
    public Builder credentials(ServerCredentials v) {
      this.credentials = v;
      return this;
    }

    /** Unencrypted, unauthenticated internode traffic: development and tests only. */
    public Builder plaintextForDevelopment() {
      this.credentials = InsecureServerCredentials.create();
      return this;
    }

    public Builder gossip(GossipReceiver v) {
      this.gossip = v;
      return this;
    }

    /** The data RPCs' handler; without one they answer {@code UNIMPLEMENTED}. */
    public Builder replicas(ReplicaHandler v) {
      this.replicas = v;
      return this;
    }

    public Builder maxInboundMessageBytes(int v) {
      this.maxInboundMessageBytes = v;
      return this;
    }

    public Builder shutdownGrace(Duration v) {
      this.shutdownGrace = Objects.requireNonNull(v);
      return this;
    }

    public InternodeServer build() {
      Objects.requireNonNull(gossip, "gossip");
      if (credentials == null) {
        throw new IllegalStateException(
            "the internode server needs credentials (mTLS) or an explicit plaintextForDevelopment()");
      }
      return new InternodeServer(this);
    }
  }
}
