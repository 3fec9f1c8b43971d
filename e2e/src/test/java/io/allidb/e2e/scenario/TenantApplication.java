package io.allidb.e2e.scenario;

import static org.awaitility.Awaitility.await;

import io.allidb.api.proto.AlliDBGrpc;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An application of one tenant, as the operator's docs tell applications to behave: it reads its
 * API key from the tenant Secret ({@code api-key}, docs/operations.md "API keys") and, on a TLS
 * cluster, the client trust bundle ({@code ca.crt}) - again at every call, as one that re-reads its
 * mounted Secret files, so rotations reach it without a restart.
 */
public final class TenantApplication {
  /** Header the nodes read the API key from. */
  static final Metadata.Key<String> API_KEY =
      Metadata.Key.of("x-allidb-api-key", Metadata.ASCII_STRING_MARSHALLER);

  static final String KEY = "api-key";
  static final String BUNDLE = "ca.crt";

  private final ClusterUnderTest cluster;
  private final String namespace;
  private final String name;
  private final String tenantSecret;
  private final String trustSecret;
  private final Map<String, Read> cache = new HashMap<>();

  /** How long a read of a Secret is reused. */
  static final Duration REREAD = Duration.ofSeconds(1);

  private record Read(Map<String, byte[]> data, long readAt) {}

  /**
   * @param tenantSecret the tenant's Secret ({@code <cluster>-tenant-<tenant>} by default)
   * @param trustSecret the Secret whose {@code ca.crt} the client trusts, or null for plaintext
   */
  public TenantApplication(
      ClusterUnderTest cluster,
      String namespace,
      String name,
      String tenantSecret,
      String trustSecret) {
    this.cluster = cluster;
    this.namespace = namespace;
    this.name = name;
    this.tenantSecret = tenantSecret;
    this.trustSecret = trustSecret;
  }

  /** The key in the tenant Secret now, waiting (bounded) until the operator has written one. */
  public String currentKey(Duration timeout) {
    var key = read(tenantSecret, KEY);
    if (key != null && !key.isBlank()) {
      return key;
    }
    return await("api-key in Secret " + namespace + "/" + tenantSecret)
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> read(tenantSecret, KEY), k -> k != null && !k.isBlank());
  }

  /** A stub with the Secret's current key and trust bundle, a 30 s deadline from now. */
  public AlliDBGrpc.AlliDBBlockingStub stub() {
    return stub(currentKey(cluster.waitBound()));
  }

  /** A stub presenting {@code apiKey} (e.g. one the application kept from before a rotation). */
  public AlliDBGrpc.AlliDBBlockingStub stub(String apiKey) {
    byte[] bundle = null;
    if (trustSecret != null) {
      var data = secret(trustSecret);
      bundle = data == null ? null : data.get(BUNDLE);
      if (bundle == null) {
        throw new IllegalStateException("no " + BUNDLE + " in Secret " + trustSecret);
      }
    }
    var headers = new Metadata();
    headers.put(API_KEY, apiKey);
    return AlliDBGrpc.newBlockingStub(cluster.channel(namespace, name, bundle))
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  /**
   * The Secret's data, read again once the last read is {@link #REREAD} old: a mounted Secret file
   * lags the API server by the kubelet's sync period anyway, and a GET per call would make the API
   * server the bottleneck of the scenarios' loops.
   */
  private synchronized Map<String, byte[]> secret(String name) {
    var now = System.nanoTime();
    var cached = cache.get(name);
    if (cached == null || now - cached.readAt() > REREAD.toNanos()) {
      cached = new Read(cluster.secret(namespace, name), now);
      cache.put(name, cached);
    }
    return cached.data();
  }

  private String read(String secret, String key) {
    Map<String, byte[]> data = secret(secret);
    if (data == null || data.get(key) == null) {
      return null;
    }
    return new String(data.get(key), StandardCharsets.US_ASCII).strip();
  }
}
