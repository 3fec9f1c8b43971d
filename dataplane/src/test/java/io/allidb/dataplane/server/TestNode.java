package io.allidb.dataplane.server;

import io.allidb.api.proto.AlliDBGrpc;
import io.allidb.dataplane.node.EntityStore;
import io.allidb.dataplane.query.QueryExecutor;
import io.allidb.dataplane.security.KeySetFormat;
import io.allidb.dataplane.security.Scope;
import io.allidb.dataplane.storage.StorageOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A real node (real storage in a temp dir, real gRPC server) with two tenants' keys, reached over
 * the in-process transport or over TCP on 127.0.0.1, for tests that call it with real stubs.
 */
public final class TestNode implements AutoCloseable {
  public static final String TENANT_A = "tenant-a";
  public static final String TENANT_B = "tenant-b";
  public static final String KEY_A = "key-a.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  public static final String KEY_B = "key-b.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

  /** Tenant A, read scope only. */
  public static final String KEY_A_READ = "key-a-read.rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr";

  /** Tenant A, write scope only. */
  public static final String KEY_A_WRITE = "key-a-write.wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww";

  public final DataplaneServer server;
  final ManagedChannel channel;

  private TestNode(DataplaneServer server, ManagedChannel channel) {
    this.server = server;
    this.channel = channel;
  }

  static TestNode inProcess(Path dir) throws IOException {
    return inProcess(dir, Clock.systemUTC(), b -> b);
  }

  static TestNode inProcess(Path dir, Clock clock, UnaryOperator<NodeConfig.Builder> config)
      throws IOException {
    return inProcess(dir, clock, config, null);
  }

  /** A node whose query executor {@code executors} builds; null keeps the fallback. */
  static TestNode inProcess(
      Path dir,
      Clock clock,
      UnaryOperator<NodeConfig.Builder> config,
      Function<EntityStore, QueryExecutor> executors)
      throws IOException {
    String name = InProcessServerBuilder.generateName();
    NodeConfig c = config(dir, clock, config);
    var builder = InProcessServerBuilder.forName(name);
    var server =
        (executors == null
                ? new DataplaneServer(builder, c)
                : new DataplaneServer(builder, c, executors))
            .start();
    return new TestNode(server, InProcessChannelBuilder.forName(name).build());
  }

  /** A node on an ephemeral TCP port of 127.0.0.1 (Netty, as in production). */
  public static TestNode overTcp(Path dir, UnaryOperator<NodeConfig.Builder> config)
      throws IOException {
    NodeConfig probe =
        config(dir, Clock.systemUTC(), b -> config.apply(b).bindAddress("127.0.0.1").grpcPort(0));
    var server = new DataplaneServer(DataplaneServer.forNetty(probe), probe).start();
    var channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.port())
            .usePlaintext()
            .maxInboundMessageSize(64 << 20)
            .build();
    return new TestNode(server, channel);
  }

  private static NodeConfig config(Path dir, Clock clock, UnaryOperator<NodeConfig.Builder> config)
      throws IOException {
    Path keys = dir.resolve("keys");
    Files.writeString(
        keys,
        "# test keys\n"
            + keyLine(KEY_A, TENANT_A, EnumSet.allOf(Scope.class))
            + keyLine(KEY_B, TENANT_B, EnumSet.of(Scope.READ, Scope.WRITE))
            + keyLine(KEY_A_READ, TENANT_A, EnumSet.of(Scope.READ))
            + keyLine(KEY_A_WRITE, TENANT_A, EnumSet.of(Scope.WRITE)));
    var storage = StorageOptions.builder(dir.resolve("storage")).clock(clock).build();
    // REST off unless a test turns it on (httpPort(0)): the default 7080 would collide
    return config
        .apply(NodeConfig.builder(dir).apiKeyFile(keys).storage(storage).httpPort(-1))
        .build();
  }

  /** The key-set line (hash entry) of a presented key, with a newline. */
  public static String keyLine(String presented, String tenant, Set<Scope> scopes) {
    return KeySetFormat.format(KeySetFormat.entryFor(presented, tenant, scopes, null, null)) + "\n";
  }

  /** A blocking stub that sends {@code apiKey}; null sends no key at all. */
  AlliDBGrpc.AlliDBBlockingStub stub(String apiKey) {
    return withKey(AlliDBGrpc.newBlockingStub(channel), apiKey);
  }

  static <S extends AbstractStub<S>> S withKey(S stub, String apiKey) {
    if (apiKey == null) {
      return stub;
    }
    var md = new Metadata();
    md.put(ApiKeyAuthInterceptor.API_KEY, apiKey);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
  }

  @Override
  public void close() throws IOException {
    channel.shutdownNow();
    server.close();
  }
}
