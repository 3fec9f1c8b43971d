package io.allidb.dataplane.server.rest;

import io.grpc.Channel;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's REST mirror: HTTP/1.1 on Netty, translating the original gateway's JSON routes to
 * calls on the node's own gRPC service (the routes are listed in {@code docs/api.md}).
 *
 * <p>It starts before storage opens so {@code /livez} answers during WAL replay; until {@link
 * #attach(Channel)} hands it the in-process channel to the service, API routes answer 503. Event
 * loop threads never block: service calls are asynchronous and complete on gRPC's executor.
 *
 * <p>Lifecycle: {@link #start()} once, {@link #close()} (idempotent) stops accepting connections
 * and releases the event loops. Thread-safe.
 */
public final class RestServer implements AutoCloseable {
  /** Every service call gets this deadline unless configured otherwise. */
  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(30);

  private static final Logger logger = LoggerFactory.getLogger(RestServer.class);

  private final String bindAddress;
  private final int port;
  private final int maxBodyBytes;
  private final RestHandler.Backend backend;
  private SslContext tls;
  private EventLoopGroup boss;
  private EventLoopGroup workers;
  private io.netty.channel.Channel listener;

  /**
   * @param port 0 picks a free port
   * @param maxBodyBytes larger request bodies get 413
   * @param ready whether storage is open and the node serves ({@code /readyz})
   * @param metrics the registry {@code /metrics} exposes
   */
  public RestServer(
      String bindAddress,
      int port,
      int maxBodyBytes,
      Duration deadline,
      BooleanSupplier ready,
      PrometheusRegistry metrics) {
    this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
    this.port = port;
    this.maxBodyBytes = maxBodyBytes;
    this.backend = new RestHandler.Backend(deadline, ready, metrics);
  }

  /**
   * Serves HTTPS with {@code context} (its key manager may reload); call before {@link #start()}.
   */
  public synchronized RestServer tls(SslContext context) {
    this.tls = context;
    return this;
  }

  /**
   * Binds the port and starts serving; API routes answer 503 until {@link #attach(Channel)}.
   *
   * @throws IOException when the port cannot be bound; nothing is left running then
   */
  public synchronized RestServer start() throws IOException {
    if (boss != null) {
      throw new IllegalStateException("already started");
    }
    boss =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("allidb-rest-accept", true), NioIoHandler.newFactory());
    // two workers: they only parse and encode; service calls run on gRPC's executor
    workers =
        new MultiThreadIoEventLoopGroup(
            2, new DefaultThreadFactory("allidb-rest", true), NioIoHandler.newFactory());
    var bootstrap =
        new ServerBootstrap()
            .group(boss, workers)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    if (tls != null) {
                      ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                    }
                    ch.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new JsonTooLargeAggregator(maxBodyBytes))
                        .addLast(new RestHandler(backend));
                  }
                });
    try {
      listener = bootstrap.bind(new InetSocketAddress(bindAddress, port)).sync().channel();
    } catch (Exception e) {
      closeLoops();
      throw new IOException("cannot serve REST on " + bindAddress + ":" + port, e);
    }
    logger.info(
        "REST mirror listening on {}:{} ({})", bindAddress, port(), tls == null ? "HTTP" : "HTTPS");
    return this;
  }

  /** Routes API calls to the service behind {@code channel} from now on. */
  public void attach(Channel channel) {
    backend.channel = channel;
  }

  /** The bound port (useful with port 0). */
  public int port() {
    return ((InetSocketAddress) listener.localAddress()).getPort();
  }

  /**
   * Stops accepting connections and releases the event loops. Calls in flight go on draining in the
   * service, which the caller shuts down after this.
   */
  @Override
  public synchronized void close() {
    if (listener != null) {
      listener.close().syncUninterruptibly();
      listener = null;
    }
    closeLoops();
  }

  private void closeLoops() {
    if (boss != null) {
      boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
      workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
      boss.terminationFuture().syncUninterruptibly();
      workers.terminationFuture().syncUninterruptibly();
    }
  }

  /** Answers an oversized body with a JSON 413 instead of Netty's empty one. */
  private static final class JsonTooLargeAggregator extends HttpObjectAggregator {
    private final int max;

    JsonTooLargeAggregator(int max) {
      super(max);
      this.max = max;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
      // keep-alive connections stay open: the aggregator discards the rest of the body, and the
      // client can read the 413 once it has finished sending
      boolean keepAlive = HttpUtil.isKeepAlive(oversized);
      RestHandler.writeJson(
          ctx,
          413,
          RestJson.error("request body larger than " + max + " bytes", "ResourceExhausted"),
          keepAlive);
    }
  }
}
