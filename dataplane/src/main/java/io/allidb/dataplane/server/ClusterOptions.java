package io.allidb.dataplane.server;

import io.allidb.api.proto.ConsistencyLevel;
import io.allidb.dataplane.cluster.hints.HintFormat;
import io.allidb.dataplane.cluster.hints.HintOptions;
import io.allidb.dataplane.cluster.ring.TokenAllocator;
import io.allidb.dataplane.cluster.transport.InternodeServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a node needs to be part of a cluster. Build with {@link #builder()}; the defaults describe a
 * node alone in its ring. The gossip fields ({@code clusterName}, {@code seedDnsName}, {@code
 * vnodes}, {@code initialNode}, {@code joinTimeout}) are read only by the gossip runtime ({@link
 * GossipClusterRuntime}); a single node ignores them.
 *
 * @param clusterName nodes gossip only with nodes of the same cluster name
 * @param hostId stable identity of the node in the ring (survives restarts; names hint files, so
 *     {@code [A-Za-z0-9._-]}); empty means the node id
 * @param rack rack or zone; replicas are placed on distinct racks first
 * @param internodeBindAddress address the internode gRPC listener binds to
 * @param internodePort internode port; 0 picks a free one
 * @param publishedAddress {@code host:port} peers reach the internode service at (the pod IP or DNS
 *     name); required as soon as the node has seeds, never guessed
 * @param seeds internode {@code host:port} addresses of nodes to join through
 * @param seedDnsName a DNS name (on Kubernetes a headless Service) whose addresses, with the
 *     internode port, are the seeds; re-resolved every 30 s. Empty for none
 * @param vnodes tokens a new node takes when it joins (16 by default, see {@link
 *     TokenAllocator#DEFAULT_VNODES}); a restarted node keeps the tokens it saved
 * @param initialNode whether a node without a saved ring identity starts a new cluster (takes
 *     evenly spaced tokens at once) instead of waiting to learn the ring from its seeds
 * @param joinTimeout how long a new, non-initial node waits to learn the ring from its seeds
 * @param replicationFactor copies of every row. Default 3; a ring with fewer members keeps fewer
 * @param defaultConsistency the level of requests that set none. Default QUORUM: with RF 3 it
 *     survives one replica down and still reads what was written
 * @param writeTimeout how long a write waits for its level before DEADLINE_EXCEEDED
 * @param readTimeout how long a read, scan or query waits for a replica
 * @param readRepairChance probability that a read at ONE compares the other replicas afterwards and
 *     repairs them in the background (QUORUM and ALL reads always repair what they compared)
 * @param hints hinted handoff settings; null means defaults under the node's data directory
 * @param plaintextInternode development only: internode traffic without TLS. Production internode
 *     traffic is mTLS (the security issue); this flag must be set explicitly
 */
public record ClusterOptions(
    String clusterName,
    String hostId,
    String rack,
    String internodeBindAddress,
    int internodePort,
    String publishedAddress,
    List<String> seeds,
    String seedDnsName,
    int vnodes,
    boolean initialNode,
    Duration joinTimeout,
    int replicationFactor,
    ConsistencyLevel defaultConsistency,
    Duration writeTimeout,
    Duration readTimeout,
    double readRepairChance,
    HintOptions hints,
    boolean plaintextInternode) {

  public static final int DEFAULT_INTERNODE_PORT = InternodeServer.DEFAULT_PORT;

  public ClusterOptions {
    Objects.requireNonNull(clusterName, "clusterName");
    Objects.requireNonNull(seedDnsName, "seedDnsName");
    Objects.requireNonNull(joinTimeout, "joinTimeout");
    Objects.requireNonNull(hostId, "hostId");
    Objects.requireNonNull(rack, "rack");
    Objects.requireNonNull(internodeBindAddress, "internodeBindAddress");
    Objects.requireNonNull(publishedAddress, "publishedAddress");
    Objects.requireNonNull(defaultConsistency, "defaultConsistency");
    Objects.requireNonNull(writeTimeout, "writeTimeout");
    Objects.requireNonNull(readTimeout, "readTimeout");
    seeds = List.copyOf(seeds);
    if (!hostId.isEmpty()) {
      HintFormat.checkHostId(hostId);
    }
    if (rack.isEmpty()) {
      throw new IllegalArgumentException("rack must not be empty");
    }
    if (internodePort < 0 || internodePort > 65535) {
      throw new IllegalArgumentException(
          "internodePort must be in [0, 65535]; got " + internodePort);
    }
    if (clusterName.isEmpty()) {
      throw new IllegalArgumentException("clusterName must not be empty");
    }
    if (vnodes < 1 || vnodes > 1024) {
      throw new IllegalArgumentException("vnodes must be in [1, 1024]; got " + vnodes);
    }
    if (joinTimeout.isNegative() || joinTimeout.isZero()) {
      throw new IllegalArgumentException("joinTimeout must be positive; got " + joinTimeout);
    }
    if ((!seeds.isEmpty() || !seedDnsName.isEmpty()) && publishedAddress.isEmpty()) {
      throw new IllegalArgumentException(
          "publishedAddress (host:port peers reach this node at) is required when seeds are set");
    }
    if (replicationFactor < 1) {
      throw new IllegalArgumentException(
          "replicationFactor must be >= 1; got " + replicationFactor);
    }
    if (defaultConsistency == ConsistencyLevel.UNRECOGNIZED) {
      throw new IllegalArgumentException("defaultConsistency must be ONE, QUORUM or ALL");
    }
    if (writeTimeout.isNegative()
        || writeTimeout.isZero()
        || readTimeout.isNegative()
        || readTimeout.isZero()) {
      throw new IllegalArgumentException(
          "write and read timeouts must be positive; got " + writeTimeout + ", " + readTimeout);
    }
    if (!(readRepairChance >= 0 && readRepairChance <= 1)) {
      throw new IllegalArgumentException(
          "readRepairChance must be in [0, 1]; got " + readRepairChance);
    }
  }

  /** The host id, falling back to the node id. */
  public String hostIdOr(String nodeId) {
    return hostId.isEmpty() ? nodeId : hostId;
  }

  /** The hint settings, defaulting to {@code dataDir/hints}. */
  public HintOptions hintsOr(Path dataDir) {
    return hints != null ? hints : HintOptions.defaults(dataDir.resolve("hints"));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builder; not thread-safe. */
  public static final class Builder {
    private String clusterName = "allidb";
    private String hostId = "";
    private String rack = "rack1";
    private String internodeBindAddress = "0.0.0.0";
    private int internodePort = DEFAULT_INTERNODE_PORT;
    private String publishedAddress = "";
    private List<String> seeds = List.of();
    private String seedDnsName = "";
    private int vnodes = TokenAllocator.DEFAULT_VNODES;
    private boolean initialNode;
    private Duration joinTimeout = Duration.ofSeconds(60);
    private int replicationFactor = 3;
    private ConsistencyLevel defaultConsistency = ConsistencyLevel.CONSISTENCY_QUORUM;
    private Duration writeTimeout = Duration.ofSeconds(2);
    private Duration readTimeout = Duration.ofSeconds(2);
    private double readRepairChance = 0.1;
    private HintOptions hints;
    private boolean plaintextInternode;

    private Builder() {}

    public Builder clusterName(String v) {
      clusterName = v;
      return this;
    }

    public Builder seedDnsName(String v) {
      seedDnsName = v;
      return this;
    }

    public Builder vnodes(int v) {
      vnodes = v;
      return this;
    }

    public Builder initialNode(boolean v) {
      initialNode = v;
      return this;
    }

    public Builder joinTimeout(Duration v) {
      joinTimeout = v;
      return this;
    }

    public Builder hostId(String v) {
      hostId = v;
      return this;
    }

    public Builder rack(String v) {
      rack = v;
      return this;
    }

    public Builder internodeBindAddress(String v) {
      internodeBindAddress = v;
      return this;
    }

    public Builder internodePort(int v) {
      internodePort = v;
      return this;
    }

    public Builder publishedAddress(String v) {
      publishedAddress = v;
      return this;
    }

    public Builder seeds(List<String> v) {
      seeds = v;
      return this;
    }

    public Builder replicationFactor(int v) {
      replicationFactor = v;
      return this;
    }

    public Builder defaultConsistency(ConsistencyLevel v) {
      defaultConsistency = v;
      return this;
    }

    public Builder writeTimeout(Duration v) {
      writeTimeout = v;
      return this;
    }

    public Builder readTimeout(Duration v) {
      readTimeout = v;
      return this;
    }

    public Builder readRepairChance(double v) {
      readRepairChance = v;
      return this;
    }

    public Builder hints(HintOptions v) {
      hints = v;
      return this;
    }

    public Builder plaintextInternode(boolean v) {
      plaintextInternode = v;
      return this;
    }

    public ClusterOptions build() {
      return new ClusterOptions(
          clusterName,
          hostId,
          rack,
          internodeBindAddress,
          internodePort,
          publishedAddress,
          seeds,
          seedDnsName,
          vnodes,
          initialNode,
          joinTimeout,
          replicationFactor,
          defaultConsistency,
          writeTimeout,
          readTimeout,
          readRepairChance,
          hints,
          plaintextInternode);
    }
  }
}
