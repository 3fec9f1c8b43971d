package io.allidb.dataplane.security;

import io.grpc.ChannelCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Credentials for every node-to-node path (replication, hints, scans, query fan-out and gossip all
 * run on the {@code Internode} gRPC service): mutual TLS where both sides present a certificate
 * from the cluster CA (several CAs in the bundle during rotation) and both check that the other's
 * certificate names a cluster member ({@link PeerNames}). The client side additionally checks the
 * server certificate against the host name it dialled.
 *
 * <p>Pass {@link #serverCredentials()} to {@code InternodeServer.Builder#credentials} and {@link
 * #channelCredentials()} to {@code PooledPeers.Builder#credentials}. The material reloads from its
 * files ({@link ReloadingTls}). Thread-safe; {@link #close()} stops the reloads.
 */
public final class InternodeTls implements AutoCloseable {
  private final ScheduledExecutorService scheduler;
  private final ReloadingTls server;
  private final ReloadingTls client;

  private InternodeTls(
      ScheduledExecutorService scheduler, ReloadingTls server, ReloadingTls client) {
    this.scheduler = scheduler;
    this.server = server;
    this.client = client;
  }

  /**
   * Loads the node's certificate, key and cluster trust bundle.
   *
   * @param members host ids and host names of current members and seeds (read per handshake)
   * @param joinPattern names accepted from nodes that are not members yet; null for none
   * @throws IOException naming the file that cannot be loaded
   */
  public static InternodeTls open(
      TlsFiles files,
      Duration reloadInterval,
      Supplier<? extends Collection<String>> members,
      Pattern joinPattern)
      throws IOException {
    if (files.trustBundle() == null) {
      throw new IllegalArgumentException("internode mTLS needs a trust bundle (the cluster CA)");
    }
    ScheduledExecutorService scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "allidb-internode-tls-reload");
              t.setDaemon(true);
              return t;
            });
    var names = new PeerNames(members, joinPattern);
    ReloadingTls server = null;
    try {
      server = ReloadingTls.open(files, reloadInterval, scheduler, false, names);
      ReloadingTls client = ReloadingTls.open(files, reloadInterval, scheduler, true, names);
      return new InternodeTls(scheduler, server, client);
    } catch (IOException | RuntimeException e) {
      if (server != null) {
        server.close();
      }
      scheduler.shutdownNow();
      throw e;
    }
  }

  /**
   * Re-reads certificate, key and trust bundle now for both directions (the admin API's {@code
   * ReloadSecrets}); on failure the previous material stays.
   *
   * @throws IOException naming the file that cannot be loaded
   */
  public void reload() throws IOException {
    server.reloadNow();
    client.reloadNow();
  }

  /**
   * The generation of the loaded material: the smaller of the server and client sides, which read
   * the same files but reload independently.
   */
  public long generation() {
    return Math.min(server.generation(), client.generation());
  }

  /** The directory the generation is read from (for messages). */
  public Path directory() {
    return server.files().generationFile().getParent();
  }

  /** mTLS server credentials: a client certificate is required. */
  public ServerCredentials serverCredentials() {
    return TlsServerCredentials.newBuilder()
        .keyManager(server.keyManager())
        .trustManager(server.trustManager())
        .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
        .build();
  }

  /** mTLS channel credentials for calls to peers. */
  public ChannelCredentials channelCredentials() {
    return TlsChannelCredentials.newBuilder()
        .keyManager(client.keyManager())
        .trustManager(client.trustManager())
        .build();
  }

  @Override
  public void close() {
    server.close();
    client.close();
    scheduler.shutdownNow();
  }
}
