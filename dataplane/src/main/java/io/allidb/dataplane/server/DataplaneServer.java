package io.allidb.dataplane.server;

import io.allidb.api.proto.AlliDBGrpc;
import io.allidb.api.proto.Entity;
import io.allidb.dataplane.admin.AdminParts;
import io.allidb.dataplane.admin.DrainGuards;
import io.allidb.dataplane.admin.NodeAdminService;
import io.allidb.dataplane.ai.NodeAi;
import io.allidb.dataplane.ai.TextEmbeddings;
import io.allidb.dataplane.cluster.coordinator.Coordinator;
import io.allidb.dataplane.cluster.coordinator.ReplicaCalls;
import io.allidb.dataplane.cluster.hints.HintReplayer;
import io.allidb.dataplane.cluster.hints.HintStore;
import io.allidb.dataplane.cluster.repair.RepairService;
import io.allidb.dataplane.cluster.streaming.RingChanges;
import io.allidb.dataplane.index.vector.VectorIndexOptions;
import io.allidb.dataplane.node.EntityStore;
import io.allidb.dataplane.query.GraphRagQueryExecutor;
import io.allidb.dataplane.query.QueryExecutor;
import io.allidb.dataplane.query.hybrid.HybridQueryExecutor;
import io.allidb.dataplane.security.PublicTls;
import io.allidb.dataplane.security.ReloadingKeySet;
import io.allidb.dataplane.security.SecretSource;
import io.allidb.dataplane.security.SecurityOptions;
import io.allidb.dataplane.server.rest.RestServer;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One AlliDB node's public gRPC server: the {@code allidb.AlliDB} service behind API-key
 * authentication, the standard {@code grpc.health.v1} health service and server reflection, over a
 * storage engine in the node's data directory; plus, unless {@link NodeConfig#httpPort()} is -1,
 * the REST mirror ({@link RestServer}), which reaches the same service objects through an
 * in-process gRPC server so it inherits authentication, validation and deadlines unchanged.
 *
 * <p>The transport comes from the caller's {@link ServerBuilder}: production passes {@link
 * #forNetty(NodeConfig)}, tests an {@code InProcessServerBuilder} (the grpc-java RouteGuide
 * pattern). The builder's own address wins over {@link NodeConfig#grpcPort()}.
 *
 * <p>Lifecycle: {@link #start()} once, then {@link #close()} (idempotent): health turns
 * NOT_SERVING, the server stops accepting calls, in-flight calls drain for {@link
 * NodeConfig#shutdownGrace()} and are then cancelled, and the storage engine closes last so no call
 * writes into a closed engine. Thread-safe.
 */
public final class DataplaneServer implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(DataplaneServer.class);

  private final ServerBuilder<?> serverBuilder;
  private final NodeConfig config;
  private final Function<EntityStore, QueryExecutor> queryExecutors;
  private final ClusterRuntime.Factory clusterRuntimes;
  private final HealthStatusManager health = new HealthStatusManager();
  private volatile boolean serving;
  private EntityStore store;
  private ClusterNode cluster;
  private NodeAi ai;
  private Server server;
  private Server inProcessServer;
  private ManagedChannel inProcessChannel;
  private RestServer rest;
  private ReloadingKeySet keys;
  private PublicTls publicTls;
  private boolean closed;

  /** A node whose queries run on the Graph RAG executor over the node's indexes. */
  public DataplaneServer(ServerBuilder<?> serverBuilder, NodeConfig config) {
    this(serverBuilder, config, graphRag(config));
  }

  /**
   * @param queryExecutors builds the query executor over the opened entity store
   */
  public DataplaneServer(
      ServerBuilder<?> serverBuilder,
      NodeConfig config,
      Function<EntityStore, QueryExecutor> queryExecutors) {
    this(serverBuilder, config, queryExecutors, ClusterRuntime::singleNode);
  }

  /**
   * A node in a cluster.
   *
   * @param queryExecutors builds the executor over this node's own indexes: the whole query while
   *     the ring is this node alone, and the reference for the cluster executor's semantics
   * @param clusterRuntimes builds the membership view, peer transport and internode server ({@link
   *     ClusterRuntime#singleNode} for a node alone)
   */
  public DataplaneServer(
      ServerBuilder<?> serverBuilder,
      NodeConfig config,
      Function<EntityStore, QueryExecutor> queryExecutors,
      ClusterRuntime.Factory clusterRuntimes) {
    this.serverBuilder = serverBuilder;
    this.config = config;
    this.queryExecutors = queryExecutors;
    this.clusterRuntimes = clusterRuntimes;
  }

  /** The query executor over a store's own indexes (the single-node Graph RAG executor). */
  public static Function<EntityStore, QueryExecutor> graphRag(NodeConfig config) {
    return store ->
        new GraphRagQueryExecutor(
            store.storage(),
            store.vectors(),
            store.graph(),
            config.query(),
            config.storage().clock());
  }

  /** A Netty server builder listening on the config's bind address and gRPC port. */
  public static ServerBuilder<?> forNetty(NodeConfig config) {
    return NettyServerBuilder.forAddress(
        new InetSocketAddress(config.bindAddress(), config.grpcPort()));
  }

  /**
   * Loads the API keys, opens storage and starts serving.
   *
   * @throws IOException when the key file or the data directory cannot be read, or the port is
   *     taken; nothing is left open then
   */
  public synchronized DataplaneServer start() throws IOException {
    if (server != null) {
      throw new IllegalStateException("already started");
    }
    openSecurity();
    if (config.httpPort() >= 0) {
      // up before storage opens, so /livez answers (and /readyz says 503) during WAL replay
      rest =
          new RestServer(
              config.bindAddress(),
              config.httpPort(),
              config.maxInboundMessageBytes(),
              RestServer.DEFAULT_DEADLINE,
              () -> serving,
              config.storage().metrics());
      try {
        if (publicTls != null) {
          rest.tls(publicTls.restContext());
        }
        rest.start();
      } catch (IOException | RuntimeException e) {
        closeSecurity();
        throw e;
      }
    }
    try {
      store = EntityStore.open(config.storage(), VectorIndexOptions.defaults());
    } catch (IOException | RuntimeException e) {
      closeRest();
      closeSecurity();
      throw e;
    }
    try {
      // internode side first: peers may replicate to this node before clients reach it
      cluster = ClusterNode.start(config, store, queryExecutors.apply(store), clusterRuntimes);
    } catch (IOException | RuntimeException e) {
      closeRest();
      closeSecurity();
      store.close();
      throw e;
    }
    try {
      ai = startAi();
      var queries =
          new HybridQueryExecutor(
              cluster.queries,
              store.storage(),
              store.vectors(),
              store.graph(),
              store.text(),
              config.query(),
              config.storage().clock(),
              cluster.coordinator::isSingleNode,
              cluster.text);
      var service =
          new AlliDbService(
              store,
              cluster.coordinator,
              queries,
              config.storage().clock(),
              config,
              () -> serving,
              ai);
      var auth = new ApiKeyAuthInterceptor(keys, config.storage().clock());
      if (publicTls != null) {
        if (!(serverBuilder instanceof NettyServerBuilder netty)) {
          throw new IllegalStateException(
              "client-facing TLS needs the Netty transport (DataplaneServer.forNetty)");
        }
        netty.sslContext(publicTls.grpcContext());
      }
      var drained = DrainGuards.publicWrites(cluster.drain);
      // the admin service's RPCs need the admin scope (ScopePolicy), checked by auth
      var admin = ServerInterceptors.intercept(new NodeAdminService(adminParts()), auth);
      server =
          serverBuilder
              .maxInboundMessageSize(config.maxInboundMessageBytes())
              .addService(ServerInterceptors.intercept(service, drained, auth))
              .addService(admin)
              .addService(health.getHealthService())
              .addService(
                  ServerInterceptors.intercept(ProtoReflectionServiceV1.newInstance(), auth))
              .build()
              .start();
      if (rest != null) {
        String name = "allidb-rest-" + UUID.randomUUID();
        inProcessServer =
            InProcessServerBuilder.forName(name)
                .maxInboundMessageSize(config.maxInboundMessageBytes())
                .addService(ServerInterceptors.intercept(service, drained, auth))
                .build()
                .start();
        inProcessChannel = InProcessChannelBuilder.forName(name).build();
        rest.attach(inProcessChannel);
      }
    } catch (IOException | RuntimeException e) {
      if (server != null) {
        server.shutdownNow();
      }
      closeRest();
      if (ai != null) {
        ai.close();
      }
      closeSecurity();
      cluster.close();
      store.close();
      throw e;
    }
    serving = true;
    health.setStatus("", ServingStatus.SERVING);
    health.setStatus(AlliDBGrpc.SERVICE_NAME, ServingStatus.SERVING);
    logger.info(
        "node {} serving gRPC on port {}{} ({}) with {} API key(s), data in {}",
        config.nodeId(),
        server.getPort(),
        rest == null ? "" : " and REST on port " + rest.port(),
        publicTls == null ? "PLAINTEXT" : "TLS",
        keys.get().size(),
        config.dataDir());
    return this;
  }

  /** The AI services over this node's coordinator (embed-on-write rewrites go through it). */
  private NodeAi startAi() {
    var created =
        NodeAi.create(
            config.ai(),
            config.vectorDimension(),
            store::dimension,
            SecretSource.environment(),
            config.storage().metrics());
    var coordinator = cluster.coordinator;
    created
        .embeddings()
        .attach(
            new TextEmbeddings.Store() {
              @Override
              public Optional<Entity> get(String tenant, String id) throws IOException {
                return coordinator.get(tenant, id, coordinator.level(false, null));
              }

              @Override
              public void put(String tenant, Entity e) throws IOException {
                coordinator.put(tenant, e, coordinator.level(false, null));
              }
            });
    return created;
  }

  private AdminParts adminParts() {
    String version = DataplaneServer.class.getPackage().getImplementationVersion();
    return new AdminParts(
        version == null ? "dev" : version,
        config.bindAddress() + ":" + config.grpcPort(),
        store,
        cluster.runtime.view(),
        cluster.runtime::gossiper,
        cluster.hints,
        cluster.replayer,
        cluster.repairs,
        cluster.ringChanges,
        cluster.drain,
        new NodeSecrets(keys, publicTls, cluster.runtime::internodeTls));
  }

  /** Replica calls from this node (local directly, peers over internode gRPC). */
  public ReplicaCalls replicaCalls() {
    return cluster.calls;
  }

  /** Ring changes (decommission) of this node; for tests and embedding. */
  public RingChanges ringChanges() {
    return cluster.ringChanges;
  }

  /** This node's anti-entropy repairs (the admin API's Repair calls). */
  public RepairService repairs() {
    return cluster.repairs;
  }

  /** The bound port (useful with port 0), or -1 for transports without one (in-process). */
  public int port() {
    return server.getPort();
  }

  /** The REST mirror's bound port, or -1 when it is disabled. */
  public int httpPort() {
    return rest == null ? -1 : rest.port();
  }

  /** This node's entities (storage and indexes), for tests and admin tools. */
  public EntityStore entityStore() {
    return store;
  }

  /** The hints this node holds for other replicas. */
  public HintStore hintStore() {
    return cluster.hints;
  }

  /** The hint replayer, whose {@link HintReplayer#runOnce()} tests and admin tools may call. */
  public HintReplayer hintReplayer() {
    return cluster.replayer;
  }

  /** This node's coordinator. */
  public Coordinator coordinator() {
    return cluster.coordinator;
  }

  /** Blocks until the server has terminated (gRPC's threads are daemons). */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /** Graceful shutdown; see the class comment. Idempotent. */
  @Override
  public synchronized void close() throws IOException {
    if (closed || server == null) {
      return;
    }
    closed = true;
    serving = false;
    // probes see NOT_SERVING first, so load balancers stop routing while calls drain
    health.enterTerminalState();
    // REST stops accepting first; its calls in flight drain in the in-process server below
    closeRest();
    server.shutdown();
    if (inProcessServer != null) {
      inProcessServer.shutdown();
    }
    try {
      Duration grace = config.shutdownGrace();
      long deadline = System.nanoTime() + grace.toNanos();
      boolean drained = server.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
      if (inProcessServer != null) {
        drained &=
            inProcessServer.awaitTermination(
                Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
      if (!drained) {
        logger.warn("in-flight calls still running after {}; cancelling them", grace);
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
        if (inProcessServer != null) {
          inProcessServer.shutdownNow();
          inProcessServer.awaitTermination(5, TimeUnit.SECONDS);
        }
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      if (inProcessServer != null) {
        inProcessServer.shutdownNow();
      }
      Thread.currentThread().interrupt();
    } finally {
      if (inProcessChannel != null) {
        inProcessChannel.shutdownNow();
      }
      try {
        // after the public API drained: no coordinator call is left to hint or replicate
        ai.close();
        cluster.close();
      } finally {
        closeSecurity();
        store.close();
      }
    }
    logger.info("node {} stopped", config.nodeId());
  }

  /** Loads the key set (and starts watching it) and the client-facing TLS material. */
  private void openSecurity() throws IOException {
    SecurityOptions security = config.security();
    keys = ReloadingKeySet.start(config.apiKeyFile(), security.keyCheckInterval());
    if (security.publicTls() != null) {
      try {
        publicTls =
            PublicTls.open(
                security.publicTls(), security.publicClientAuth(), security.tlsReloadInterval());
      } catch (IOException | RuntimeException e) {
        keys.close();
        throw e;
      }
    } else {
      logger.warn(
          "node {}: client-facing gRPC and REST serve PLAINTEXT (development setting); API keys"
              + " cross the network unencrypted. Configure TLS certificates for production.",
          config.nodeId());
    }
  }

  private void closeSecurity() {
    if (publicTls != null) {
      publicTls.close();
    }
    if (keys != null) {
      keys.close();
    }
  }

  private void closeRest() {
    if (rest != null) {
      rest.close();
    }
  }
}
