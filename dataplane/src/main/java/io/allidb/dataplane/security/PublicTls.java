package io.allidb.dataplane.security;

import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import javax.net.ssl.SSLException;

/**
 * TLS of the client-facing ports: one reloading certificate (and, for client certificates, trust
 * bundle) behind both the gRPC server's and the REST server's TLS contexts, so a rotated
 * certificate reaches both from the next handshake on. Client certificates are {@link ClientAuth
 * optional or required}; either way an API key is still needed for API calls.
 *
 * <p>The JDK TLS provider is used on both ports: it asks the reloading key manager on every
 * handshake (OpenSSL-based providers may cache key material). TLS 1.2 and 1.3 only.
 *
 * <p>Thread-safe; {@link #close()} stops the reloads.
 */
public final class PublicTls implements AutoCloseable {
  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private final ScheduledExecutorService scheduler;
  private final ReloadingTls tls;
  private final ClientAuth clientAuth;

  private PublicTls(ScheduledExecutorService scheduler, ReloadingTls tls, ClientAuth clientAuth) {
    this.scheduler = scheduler;
    this.tls = tls;
    this.clientAuth = clientAuth;
  }

  /**
   * Loads the files.
   *
   * @throws IOException naming the file that cannot be loaded
   */
  public static PublicTls open(TlsFiles files, ClientAuth clientAuth, Duration reloadInterval)
      throws IOException {
    ScheduledExecutorService scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "allidb-public-tls-reload");
              t.setDaemon(true);
              return t;
            });
    try {
      TlsFiles used =
          clientAuth == ClientAuth.NONE
              ? new TlsFiles(files.certificateChain(), files.privateKey(), null)
              : files;
      return new PublicTls(
          scheduler, ReloadingTls.open(used, reloadInterval, scheduler, false, null), clientAuth);
    } catch (IOException | RuntimeException e) {
      scheduler.shutdownNow();
      throw e;
    }
  }

  /**
   * Re-reads certificate, key and trust bundle now (the admin API's {@code ReloadSecrets}); on
   * failure the previous material stays.
   *
   * @throws IOException naming the file that cannot be loaded
   */
  public void reload() throws IOException {
    tls.reloadNow();
  }

  /** The generation of the loaded material ({@link ReloadingTls#generation()}). */
  public long generation() {
    return tls.generation();
  }

  /** The directory the generation is read from (for messages). */
  public Path directory() {
    return tls.files().generationFile().getParent();
  }

  /** The context for the gRPC server (grpc-netty-shaded's relocated Netty). */
  public io.grpc.netty.shaded.io.netty.handler.ssl.SslContext grpcContext() throws SSLException {
    var b =
        GrpcSslContexts.configure(
                io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder.forServer(
                    tls.keyManager()),
                SslProvider.JDK)
            .protocols(PROTOCOLS);
    if (clientAuth != ClientAuth.NONE) {
      b.trustManager(tls.trustManager())
          .clientAuth(
              clientAuth == ClientAuth.REQUIRE
                  ? io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth.REQUIRE
                  : io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth.OPTIONAL);
    }
    return b.build();
  }

  /** The context for the REST server (plain Netty). */
  public io.netty.handler.ssl.SslContext restContext() throws SSLException {
    var b =
        io.netty.handler.ssl.SslContextBuilder.forServer(tls.keyManager())
            .sslProvider(io.netty.handler.ssl.SslProvider.JDK)
            .protocols(PROTOCOLS);
    if (clientAuth != ClientAuth.NONE) {
      b.trustManager(tls.trustManager())
          .clientAuth(
              clientAuth == ClientAuth.REQUIRE
                  ? io.netty.handler.ssl.ClientAuth.REQUIRE
                  : io.netty.handler.ssl.ClientAuth.OPTIONAL);
    }
    return b.build();
  }

  @Override
  public void close() {
    tls.close();
    scheduler.shutdownNow();
  }
}
