package io.allidb.dataplane.cluster.gossip;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Immutable configuration of a {@link Gossiper}. Build with {@link #builder()}; cluster name, host
 * id and internode address are required.
 *
 * @param clusterName nodes gossip only within the same cluster name; a SYN from another is refused
 * @param hostId this node's stable identity
 * @param internodeAddress {@code host:port} at which peers reach this node's internode service: the
 *     pod IP or a DNS name that resolves to it, given by configuration, never guessed (a guess from
 *     the interfaces picks the wrong one on multi-homed hosts and containers)
 * @param apiAddress {@code host:port} of the public API, published for redirects ("" if none)
 * @param rack rack or zone; replicas go to distinct racks first
 * @param interval time between gossip rounds (1 s by default). Shorter detects failures sooner at
 *     the cost of more traffic; detection takes a few intervals plus the acceptable pause
 * @param phiThreshold phi above which a peer is convicted (8 by default, see {@link
 *     PhiAccrualFailureDetector}). Lower detects sooner and convicts live peers more often
 * @param acceptablePause silence tolerated on top of the usual heartbeat interval (3 s by default:
 *     a GC pause must not make a node look dead)
 * @param minStdDeviation floor of the modelled interval deviation (200 ms by default)
 * @param maxSamples intervals kept per peer (200 by default)
 * @param seeds where to look for the cluster
 * @param loadBytes live bytes on this node, published every {@code loadInterval} when it changed
 * @param loadInterval how often the load is read (60 s by default)
 * @param generation this process's generation, microseconds since the epoch at start by default;
 *     must grow across restarts of the same host id
 * @param randomSeed seeds the choice of peers (tests replay a run with it)
 */
public record GossipOptions(
    String clusterName,
    String hostId,
    String internodeAddress,
    String apiAddress,
    String rack,
    Duration interval,
    double phiThreshold,
    Duration acceptablePause,
    Duration minStdDeviation,
    int maxSamples,
    SeedProvider seeds,
    LongSupplier loadBytes,
    Duration loadInterval,
    long generation,
    long randomSeed) {

  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
  public static final double DEFAULT_PHI_THRESHOLD = 8.0;

  public GossipOptions {
    Objects.requireNonNull(clusterName, "clusterName");
    Objects.requireNonNull(hostId, "hostId");
    Objects.requireNonNull(internodeAddress, "internodeAddress");
    Objects.requireNonNull(apiAddress, "apiAddress");
    Objects.requireNonNull(rack, "rack");
    Objects.requireNonNull(seeds, "seeds");
    Objects.requireNonNull(loadBytes, "loadBytes");
    if (clusterName.isEmpty() || hostId.isEmpty()) {
      throw new IllegalArgumentException("clusterName and hostId must not be empty");
    }
    checkAddress(internodeAddress);
    if (interval.isZero() || interval.isNegative()) {
      throw new IllegalArgumentException("interval must be positive; got " + interval);
    }
    if (!(phiThreshold > 0)) {
      throw new IllegalArgumentException("phiThreshold must be > 0; got " + phiThreshold);
    }
  }

  private static void checkAddress(String address) {
    int colon = address.lastIndexOf(':');
    String host = colon > 0 ? address.substring(0, colon) : "";
    boolean portOk;
    try {
      int port = Integer.parseInt(address.substring(colon + 1));
      portOk = port > 0 && port <= 65535;
    } catch (NumberFormatException e) {
      portOk = false;
    }
    if (host.isEmpty() || !portOk) {
      throw new IllegalArgumentException(
          "internodeAddress must be host:port with a real port; got '" + address + "'");
    }
    if (host.equals("0.0.0.0") || host.equals("[::]") || host.equals("::")) {
      throw new IllegalArgumentException(
          "internodeAddress must be an address peers can reach, not the wildcard; got " + address);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builder with the defaults documented on {@link GossipOptions}. */
  public static final class Builder {
    private String clusterName;
    private String hostId;
    private String internodeAddress;
    private String apiAddress = "";
    private String rack = "rack1";
    private Duration interval = DEFAULT_INTERVAL;
    private double phiThreshold = DEFAULT_PHI_THRESHOLD;
    private Duration acceptablePause = Duration.ofSeconds(3);
    private Duration minStdDeviation = Duration.ofMillis(200);
    private int maxSamples = 200;
    private SeedProvider seeds = SeedProvider.none();
    private LongSupplier loadBytes = () -> 0;
    private Duration loadInterval = Duration.ofSeconds(60);
    private long generation = System.currentTimeMillis() * 1000;
    private long randomSeed = System.nanoTime();

    private Builder() {}

    public Builder clusterName(String v) {
      clusterName = v;
      return this;
    }

    public Builder hostId(String v) {
      hostId = v;
      return this;
    }

    public Builder internodeAddress(String v) {
      internodeAddress = v;
      return this;
    }

    public Builder apiAddress(String v) {
      apiAddress = v;
      return this;
    }

    public Builder rack(String v) {
      rack = v;
      return this;
    }

    public Builder interval(Duration v) {
      interval = v;
      return this;
    }

    public Builder phiThreshold(double v) {
      phiThreshold = v;
      return this;
    }

    public Builder acceptablePause(Duration v) {
      acceptablePause = v;
      return this;
    }

    public Builder minStdDeviation(Duration v) {
      minStdDeviation = v;
      return this;
    }

    public Builder maxSamples(int v) {
      maxSamples = v;
      return this;
    }

    public Builder seeds(SeedProvider v) {
      seeds = v;
      return this;
    }

    public Builder loadBytes(LongSupplier v) {
      loadBytes = v;
      return this;
    }

    public Builder loadInterval(Duration v) {
      loadInterval = v;
      return this;
    }

    public Builder generation(long v) {
      generation = v;
      return this;
    }

    public Builder randomSeed(long v) {
      randomSeed = v;
      return this;
    }

    public GossipOptions build() {
      return new GossipOptions(
          clusterName,
          hostId,
          internodeAddress,
          apiAddress,
          rack,
          interval,
          phiThreshold,
          acceptablePause,
          minStdDeviation,
          maxSamples,
          seeds,
          loadBytes,
          loadInterval,
          generation,
          randomSeed);
    }
  }
}
