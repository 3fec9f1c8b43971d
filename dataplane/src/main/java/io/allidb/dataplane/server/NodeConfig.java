package io.allidb.dataplane.server;

import io.allidb.dataplane.ai.AiOptions;
import io.allidb.dataplane.query.QueryDefaults;
import io.allidb.dataplane.security.SecurityOptions;
import io.allidb.dataplane.storage.StorageOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Immutable configuration of one node. Build with {@link #builder(Path)}.
 *
 * @param nodeId this node's id (RangeScan's {@code node_id} naming another node is refused until
 *     cluster membership exists)
 * @param dataDir the node's data directory; storage lives in {@code dataDir/storage} by default
 * @param bindAddress the address the gRPC and REST listeners bind to
 * @param grpcPort public gRPC port; 0 picks a free port
 * @param httpPort port of the REST mirror; 0 picks a free port, -1 disables it
 * @param apiKeyFile API key set: a file of key lines or a directory of such files (a mounted
 *     Secret), see {@link io.allidb.dataplane.security.KeySet}; reloaded on change
 * @param storage storage engine options
 * @param maxInboundMessageBytes largest accepted request; larger ones get {@code
 *     RESOURCE_EXHAUSTED}. Bigger allows larger batches at the cost of memory per call (the
 *     original used gRPC's 4 MiB default)
 * @param shutdownGrace how long shutdown waits for in-flight calls before cancelling them
 * @param vectorDimension the dimension every embedding and query vector must have; 0 accepts any
 *     (the original never checked)
 * @param query the Graph RAG query's defaults and limits, score weights included
 * @param cluster ring membership, replication, consistency and hinted handoff settings
 * @param ai embedding provider, embed-on-write policy and LLM (docs/ai.md)
 * @param security TLS of the client-facing and internode ports, key and certificate reload
 */
public record NodeConfig(
    String nodeId,
    Path dataDir,
    String bindAddress,
    int grpcPort,
    int httpPort,
    Path apiKeyFile,
    StorageOptions storage,
    int maxInboundMessageBytes,
    Duration shutdownGrace,
    int vectorDimension,
    QueryDefaults query,
    ClusterOptions cluster,
    AiOptions ai,
    SecurityOptions security) {

  public static final int DEFAULT_GRPC_PORT = 7000;
  public static final int DEFAULT_HTTP_PORT = 7080;
  public static final int DEFAULT_MAX_INBOUND_MESSAGE_BYTES = 16 << 20;

  /** This node's host id in the ring: the cluster's host id, else the node id. */
  public String hostId() {
    return cluster.hostIdOr(nodeId);
  }

  public NodeConfig {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(apiKeyFile, "apiKeyFile");
    Objects.requireNonNull(storage, "storage");
    Objects.requireNonNull(shutdownGrace, "shutdownGrace");
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(ai, "ai");
    Objects.requireNonNull(security, "security");
    if (nodeId.isEmpty()) {
      throw new IllegalArgumentException("nodeId must not be empty");
    }
    checkPort("grpcPort", grpcPort);
    if (httpPort != -1) {
      checkPort("httpPort", httpPort);
    }
    if (maxInboundMessageBytes < 1024) {
      throw new IllegalArgumentException(
          "maxInboundMessageBytes must be >= 1024; got " + maxInboundMessageBytes);
    }
    if (shutdownGrace.isNegative()) {
      throw new IllegalArgumentException(
          "shutdownGrace must not be negative; got " + shutdownGrace);
    }
    if (vectorDimension < 0) {
      throw new IllegalArgumentException("vectorDimension must be >= 0; got " + vectorDimension);
    }
  }

  private static void checkPort(String name, int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(name + " must be in [0, 65535]; got " + port);
    }
  }

  /** A builder with defaults for a node whose data lives in {@code dataDir}. */
  public static Builder builder(Path dataDir) {
    return new Builder(dataDir);
  }

  /** Builder; not thread-safe. */
  public static final class Builder {
    private String nodeId = "node-1";
    private final Path dataDir;
    private String bindAddress = "0.0.0.0";
    private int grpcPort = DEFAULT_GRPC_PORT;
    private int httpPort = DEFAULT_HTTP_PORT;
    private Path apiKeyFile;
    private StorageOptions storage;
    private int maxInboundMessageBytes = DEFAULT_MAX_INBOUND_MESSAGE_BYTES;
    private Duration shutdownGrace = Duration.ofSeconds(20);
    private int vectorDimension;
    private QueryDefaults query = QueryDefaults.standard();
    private ClusterOptions cluster = ClusterOptions.builder().build();
    private AiOptions ai = AiOptions.defaults();
    private SecurityOptions security = SecurityOptions.builder().build();

    private Builder(Path dataDir) {
      this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
    }

    public Builder nodeId(String v) {
      nodeId = v;
      return this;
    }

    public Builder bindAddress(String v) {
      bindAddress = v;
      return this;
    }

    public Builder grpcPort(int v) {
      grpcPort = v;
      return this;
    }

    public Builder httpPort(int v) {
      httpPort = v;
      return this;
    }

    /** Default: {@code dataDir/api-keys}. */
    public Builder apiKeyFile(Path v) {
      apiKeyFile = v;
      return this;
    }

    /** Default: engine defaults in {@code dataDir/storage}. */
    public Builder storage(StorageOptions v) {
      storage = v;
      return this;
    }

    public Builder maxInboundMessageBytes(int v) {
      maxInboundMessageBytes = v;
      return this;
    }

    public Builder shutdownGrace(Duration v) {
      shutdownGrace = v;
      return this;
    }

    public Builder query(QueryDefaults v) {
      query = v;
      return this;
    }

    /** Default: {@link ClusterOptions#builder()}'s defaults (a node alone in its ring). */
    public Builder cluster(ClusterOptions v) {
      cluster = v;
      return this;
    }

    /** Default: {@link AiOptions#defaults()} (local model for query text, no embed on write). */
    public Builder ai(AiOptions v) {
      ai = v;
      return this;
    }

    /** Default: plaintext client-facing ports (development; logged as a warning at start). */
    public Builder security(SecurityOptions v) {
      security = v;
      return this;
    }

    public Builder vectorDimension(int v) {
      vectorDimension = v;
      return this;
    }

    public NodeConfig build() {
      return new NodeConfig(
          nodeId,
          dataDir,
          bindAddress,
          grpcPort,
          httpPort,
          apiKeyFile != null ? apiKeyFile : dataDir.resolve("api-keys"),
          storage != null ? storage : StorageOptions.builder(dataDir.resolve("storage")).build(),
          maxInboundMessageBytes,
          shutdownGrace,
          vectorDimension,
          query,
          cluster,
          ai,
          security);
    }
  }
}
