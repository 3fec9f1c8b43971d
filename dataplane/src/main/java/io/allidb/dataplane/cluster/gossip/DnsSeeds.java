package io.allidb.dataplane.cluster.gossip;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seeds from DNS: a name (on Kubernetes a headless Service selecting the seed pods) resolved to all
 * its addresses, each with the internode port. Re-resolved in the background every {@code refresh},
 * so pods that were rescheduled to new IPs are found again; the gossip thread never waits on DNS.
 * Until the first resolution succeeds, and whenever one fails, the last good answer stays (none at
 * first).
 *
 * <p>The JVM caches successful lookups itself ({@code networkaddress.cache.ttl}, 30 s by default
 * without a security manager); set it lower if seeds move faster than that.
 *
 * <p>Thread-safe. {@link #close()} stops the refresh thread.
 */
public final class DnsSeeds implements SeedProvider, AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(DnsSeeds.class);

  /** Resolves a name to all its addresses; {@link InetAddress#getAllByName} in production. */
  @FunctionalInterface
  public interface Resolver {
    InetAddress[] resolve(String name) throws UnknownHostException;
  }

  private final String name;
  private final int port;
  private final Resolver resolver;
  private final ScheduledExecutorService refresher;
  private volatile List<String> seeds = List.of();

  /**
   * Resolves once now (failures are logged, not thrown: the Service may not have endpoints yet) and
   * then every {@code refresh}.
   */
  public DnsSeeds(String name, int port, Duration refresh, Resolver resolver) {
    this.name = name;
    this.port = port;
    this.resolver = resolver;
    this.refresher =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "dns-seeds-" + name);
              t.setDaemon(true);
              return t;
            });
    resolve();
    refresher.scheduleWithFixedDelay(
        this::resolve, refresh.toMillis(), refresh.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** {@code name} re-resolved every 30 s with the JVM's resolver. */
  public static DnsSeeds of(String name, int port) {
    return new DnsSeeds(name, port, Duration.ofSeconds(30), InetAddress::getAllByName);
  }

  @Override
  public List<String> seeds() {
    return seeds;
  }

  private void resolve() {
    try {
      var out = new ArrayList<String>();
      for (InetAddress a : resolver.resolve(name)) {
        String host = a.getHostAddress();
        out.add((a instanceof Inet6Address ? "[" + host + "]" : host) + ":" + port);
      }
      out.sort(null);
      if (!out.equals(seeds)) {
        logger.info("seeds from DNS name {}: {}", name, out);
      }
      seeds = List.copyOf(out);
    } catch (UnknownHostException | RuntimeException e) {
      logger.warn("cannot resolve seed name {} (keeping {}): {}", name, seeds, e.toString());
    }
  }

  @Override
  public void close() {
    refresher.shutdownNow();
  }
}
