package io.allidb.dataplane.cli;

import io.allidb.api.proto.AlliDBGrpc;
import io.allidb.dataplane.server.ApiKeyAuthInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Options every client command shares (a picocli mixin): where the node is, which API key to send,
 * and the per-call deadline. Talks plaintext gRPC for now.
 *
 * <p>The key comes from {@code --api-key}, else {@code $ALLIDB_API_KEY}, else {@code
 * --api-key-file}, else the dev key a local {@code allidb server} generated ({@code
 * $ALLIDB_DATA_DIR/dev-api-key} or {@code ./data/dev-api-key}; a pre-hashing dev node's {@code
 * api-keys}). It is sent, never printed.
 *
 * <p>Not thread-safe; picocli fills it once per invocation.
 */
final class ClientOptions {
  static final String KEY_ENV = "ALLIDB_API_KEY";

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @Option(
      names = "--target",
      defaultValue = "127.0.0.1:7000",
      description = "Node address host:port (default: ${DEFAULT-VALUE}).")
  String target;

  @Option(
      names = "--api-key",
      description = "API key (prefer $" + KEY_ENV + " or --api-key-file: argv is visible in ps).")
  String apiKey;

  @Option(
      names = "--api-key-file",
      description = "File whose first non-comment line starts with the key <key-id>.<secret>.")
  Path apiKeyFile;

  @Option(
      names = "--deadline",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description = "Per-call deadline, e.g. 500ms, 30s, 2m (default: ${DEFAULT-VALUE}).")
  Duration deadline;

  /** A plaintext channel to {@link #target}; the caller shuts it down. */
  ManagedChannel channel() {
    return NettyChannelBuilder.forTarget(target)
        .usePlaintext()
        .maxInboundMessageSize(64 << 20)
        .build();
  }

  /** A blocking stub on {@code channel} with the key and a fresh deadline per call. */
  AlliDBGrpc.AlliDBBlockingStub stub(ManagedChannel channel) throws IOException {
    var md = new Metadata();
    md.put(ApiKeyAuthInterceptor.API_KEY, resolveKey());
    return AlliDBGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
  }

  /** {@code stub} with this invocation's deadline starting now. */
  AlliDBGrpc.AlliDBBlockingStub withDeadline(AlliDBGrpc.AlliDBBlockingStub stub) {
    return stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
  }

  private String resolveKey() throws IOException {
    if (apiKey != null && !apiKey.isBlank()) {
      return apiKey.trim();
    }
    String env = System.getenv(KEY_ENV);
    if (env != null && !env.isBlank()) {
      return env.trim();
    }
    if (apiKeyFile != null) {
      return firstKey(apiKeyFile);
    }
    String dataDir = System.getenv("ALLIDB_DATA_DIR");
    Path data = Path.of(dataDir != null && !dataDir.isBlank() ? dataDir : "data");
    Path dev = data.resolve(DevApiKey.CLIENT_FILE);
    if (Files.isReadable(dev)) {
      return firstKey(dev);
    }
    // a dev node created before hashed key sets kept its clear key in the key set itself
    Path legacy = data.resolve("api-keys");
    if (Files.isReadable(legacy) && firstKey(legacy).contains(".")) {
      return firstKey(legacy);
    }
    throw new ParameterException(
        spec.commandLine(),
        "no API key: pass --api-key-file, set $"
            + KEY_ENV
            + ", or run next to a dev node's ./data");
  }

  private String firstKey(Path file) throws IOException {
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      String t = line.strip();
      if (!t.isEmpty() && !t.startsWith("#")) {
        return t.split("\\s+", 2)[0];
      }
    }
    throw new ParameterException(spec.commandLine(), "no key in " + file);
  }

  /** "500ms", "30s", "2m", "1h", or plain seconds. */
  static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String v = value.trim().toLowerCase(Locale.ROOT);
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      }
      long n = Long.parseLong(v.replaceAll("[smh]$", ""));
      return switch (v.charAt(v.length() - 1)) {
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        default -> Duration.ofSeconds(n);
      };
    }
  }
}
