package io.allidb.client;

import io.grpc.CallCredentials;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.AbstractStub;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The one channel a client shares between all its calls (and its {@code with...} views), with the
 * API key as call credentials and the retry policy as the channel's service configuration.
 *
 * <p>Retries are gRPC's own (the channel buffers the request and re-sends it after a backoff),
 * configured per method: only the methods a client declares idempotent get a retry policy and
 * wait-for-ready, so a non-idempotent call is sent at most once and fails fast when no node is
 * reachable. Thread-safe.
 */
final class Connection {
  private final ManagedChannel channel;
  private final CallCredentials credentials;

  private Connection(ManagedChannel channel, CallCredentials credentials) {
    this.channel = channel;
    this.credentials = credentials;
  }

  /**
   * Opens the channel (connections are made lazily, at the first call).
   *
   * @param idempotent per gRPC service name, the methods that may be retried
   */
  static Connection open(ClientBuilder<?> b, Map<String, Set<String>> idempotent) {
    b.validate();
    String target =
        b.nodes.isEmpty() ? b.target : StaticNodesResolverProvider.target(List.copyOf(b.nodes));
    var builder =
        NettyChannelBuilder.forTarget(target, channelCredentials(b))
            .defaultLoadBalancingPolicy("round_robin")
            .disableServiceConfigLookUp() // ours, never one a DNS TXT record offers
            .defaultServiceConfig(serviceConfig(b.retry, idempotent, b.waitForReady))
            .enableRetry()
            .maxRetryAttempts(b.retry.maxAttempts())
            .maxInboundMessageSize(b.maxInboundMessageBytes)
            .userAgent("allidb-java-client");
    if (b.authority != null) {
      builder.overrideAuthority(b.authority);
    }
    builder.intercept(b.interceptors);
    CallCredentials creds = b.apiKey == null ? null : new ApiKeyCredentials(b.apiKey);
    return new Connection(builder.build(), creds);
  }

  private static ChannelCredentials channelCredentials(ClientBuilder<?> b) {
    if (b.tls == ClientBuilder.Tls.PLAINTEXT) {
      return InsecureChannelCredentials.create();
    }
    var tls = TlsChannelCredentials.newBuilder();
    if (b.tls == ClientBuilder.Tls.TRUST_BUNDLE) {
      String source = b.trustBundle != null ? b.trustBundle.toString() : "given in memory";
      try {
        if (b.trustBundle != null) {
          tls.trustManager(b.trustBundle.toFile());
        } else {
          // gRPC reads in-memory PEM only when the channel is built, with a message that names
          // nothing; parse it here so a bad bundle fails with the input named
          if (CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(b.trustBundlePem))
              .isEmpty()) {
            throw new IllegalArgumentException("no certificate in it");
          }
          tls.trustManager(new ByteArrayInputStream(b.trustBundlePem));
        }
      } catch (IOException | GeneralSecurityException | RuntimeException e) {
        throw new IllegalArgumentException(
            "cannot read trust bundle " + source + " (PEM CA certificates): " + e, e);
      }
    }
    if (b.clientCertificate != null) {
      try {
        tls.keyManager(b.clientCertificate.toFile(), b.clientKey.toFile());
      } catch (IOException | RuntimeException e) {
        // the exception may quote the file name, never the key material
        throw new IllegalArgumentException(
            "cannot read client certificate "
                + b.clientCertificate
                + " or its key "
                + b.clientKey
                + " (PEM chain and PKCS#8 PEM key): "
                + e.getClass().getSimpleName(),
            e);
      }
    }
    return tls.build();
  }

  /**
   * gRPC service config: the retry policy and (if asked) wait-for-ready on the idempotent methods.
   */
  static Map<String, Object> serviceConfig(
      RetrySettings retry, Map<String, Set<String>> idempotent, boolean waitForReady) {
    var names = new ArrayList<Map<String, Object>>();
    idempotent.forEach(
        (service, methods) ->
            methods.forEach(m -> names.add(Map.of("service", service, "method", m))));
    var method = new LinkedHashMap<String, Object>();
    method.put("name", names);
    method.put("waitForReady", waitForReady);
    if (retry.maxAttempts() > 1) {
      method.put(
          "retryPolicy",
          Map.of(
              "maxAttempts", (double) retry.maxAttempts(),
              "initialBackoff", seconds(retry.initialBackoff()),
              "maxBackoff", seconds(retry.maxBackoff()),
              "backoffMultiplier", retry.multiplier(),
              "retryableStatusCodes", List.of("UNAVAILABLE")));
    }
    return Map.of("methodConfig", List.of(method));
  }

  private static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.3fs", d.toMillis() / 1000.0);
  }

  /** {@code stub} with the API key and a deadline of {@code deadline} from now. */
  <S extends AbstractStub<S>> S stub(S stub, Duration deadline) {
    S s = stub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
    return credentials == null ? s : s.withCallCredentials(credentials);
  }

  ManagedChannel channel() {
    return channel;
  }

  /** Stops new calls, lets running ones finish for up to 5 s, then cancels them. */
  void close() {
    channel.shutdown();
    try {
      if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
        channel.shutdownNow();
        channel.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      channel.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
