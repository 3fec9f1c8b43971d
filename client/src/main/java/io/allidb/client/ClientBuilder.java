package io.allidb.client;

import io.grpc.ClientInterceptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What {@link AlliClient} and {@link AlliAdminClient} builders share: where the nodes are, how to
 * authenticate, TLS, the default deadline and the retry policy. Not thread-safe; build once and
 * share the client.
 *
 * <p>Transport security must be chosen: {@link #trustBundle(Path)} (a PEM bundle of CAs), {@link
 * #systemTrust()} (the JDK's trust store), or {@link #plaintext()} (development only). There is no
 * setting that skips certificate verification.
 *
 * @param <B> the concrete builder
 */
public abstract class ClientBuilder<B extends ClientBuilder<B>> {
  enum Tls {
    UNSET,
    PLAINTEXT,
    SYSTEM_TRUST,
    TRUST_BUNDLE
  }

  String target;
  final List<String> nodes = new ArrayList<>();
  String apiKey;
  Tls tls = Tls.UNSET;
  Path trustBundle;
  byte[] trustBundlePem;
  Path clientCertificate;
  Path clientKey;
  String authority;
  Duration deadline = Duration.ofSeconds(30);
  RetrySettings retry = RetrySettings.defaults();
  int maxInboundMessageBytes = 64 << 20;
  boolean waitForReady = true;
  final List<ClientInterceptor> interceptors = new ArrayList<>();

  ClientBuilder() {}

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }

  /**
   * One gRPC target: {@code host:port} (e.g. the Kubernetes Service {@code allidb.db.svc:7000}) or
   * a target URI such as {@code dns:///allidb-headless.db.svc:7000}, whose every address is used
   * round robin. Replaces {@link #nodes}.
   */
  public B target(String target) {
    this.target = requireText(target, "target");
    nodes.clear();
    return self();
  }

  /**
   * Several node addresses ({@code host:port}): calls go round robin over the nodes that are up, so
   * a node that goes down is skipped without errors. Replaces {@link #target}.
   */
  public B nodes(List<String> hostPorts) {
    if (hostPorts.isEmpty()) {
      throw new IllegalArgumentException("nodes must name at least one host:port");
    }
    hostPorts.forEach(HostPort::parse); // fail here, not at the first call
    nodes.clear();
    nodes.addAll(hostPorts);
    target = null;
    return self();
  }

  /** {@link #nodes(List)} from varargs. */
  public B nodes(String... hostPorts) {
    return nodes(List.of(hostPorts));
  }

  /**
   * The API key, {@code <key-id>.<secret>}; it decides the tenant and scopes of every call. Never
   * logged or printed by the client.
   */
  public B apiKey(String apiKey) {
    this.apiKey = requireText(apiKey, "apiKey");
    if (apiKey.indexOf('.') <= 0) {
      throw new IllegalArgumentException("apiKey must have the form <key-id>.<secret>");
    }
    return self();
  }

  /**
   * Reads the API key from a file (e.g. a mounted Kubernetes Secret): its first line, trimmed.
   *
   * @throws IllegalArgumentException when the file cannot be read or holds no key
   */
  public B apiKeyFile(Path file) {
    String content;
    try {
      content = Files.readString(file).strip();
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("cannot read API key file " + file + ": " + e, e);
    }
    if (content.isEmpty()) {
      throw new IllegalArgumentException("API key file " + file + " is empty");
    }
    return apiKey(content.lines().findFirst().orElseThrow().strip());
  }

  /** TLS, trusting the CAs of a PEM bundle (several CAs at once are fine, e.g. during rotation). */
  public B trustBundle(Path pemBundle) {
    this.trustBundle = Objects.requireNonNull(pemBundle, "pemBundle");
    this.trustBundlePem = null;
    this.tls = Tls.TRUST_BUNDLE;
    return self();
  }

  /**
   * TLS, trusting the CAs of a PEM bundle held in memory (e.g. read from a Kubernetes Secret
   * through the API rather than a mounted file). The bytes are copied; a bundle that is not PEM
   * fails at {@code build()}.
   */
  public B trustBundle(byte[] pemBundle) {
    Objects.requireNonNull(pemBundle, "pemBundle");
    if (pemBundle.length == 0) {
      throw new IllegalArgumentException("pemBundle must not be empty");
    }
    this.trustBundlePem = pemBundle.clone();
    this.trustBundle = null;
    this.tls = Tls.TRUST_BUNDLE;
    return self();
  }

  /** TLS, trusting the JDK's default trust store (public CAs). */
  public B systemTrust() {
    this.tls = Tls.SYSTEM_TRUST;
    this.trustBundle = null;
    this.trustBundlePem = null;
    return self();
  }

  /**
   * A client certificate (PEM chain, leaf first) and its PKCS#8 PEM key for nodes that require or
   * verify client certificates (mutual TLS). It never replaces the API key.
   */
  public B clientCertificate(Path certificateChain, Path privateKey) {
    this.clientCertificate = Objects.requireNonNull(certificateChain, "certificateChain");
    this.clientKey = Objects.requireNonNull(privateKey, "privateKey");
    return self();
  }

  /**
   * The name the nodes' certificates are checked against when it differs from the dialled host
   * (e.g. dialling IPs of nodes whose certificate names the Service).
   */
  public B authority(String authority) {
    this.authority = requireText(authority, "authority");
    return self();
  }

  /** No TLS: for a development node on loopback only (the API key then travels in clear text). */
  public B plaintext() {
    this.tls = Tls.PLAINTEXT;
    return self();
  }

  /**
   * Deadline of each call, retries included (default 30 s). Idempotent calls wait for a connection
   * within it, so it also bounds how long a node restart is ridden out.
   */
  public B deadline(Duration deadline) {
    if (deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException("deadline must be positive; got " + deadline);
    }
    this.deadline = deadline;
    return self();
  }

  /**
   * Whether idempotent calls wait for a connection until their deadline (default true, which rides
   * out a node restart). {@code false} makes a call to an unreachable node fail with {@code
   * UNAVAILABLE} once its retries are spent, without waiting out the deadline: for callers such as
   * the operator that poll many nodes and would rather move on to the next one.
   */
  public B waitForReady(boolean waitForReady) {
    this.waitForReady = waitForReady;
    return self();
  }

  /** Retry policy of idempotent calls (default {@link RetrySettings#defaults()}). */
  public B retry(RetrySettings retry) {
    this.retry = Objects.requireNonNull(retry, "retry");
    return self();
  }

  /** Largest response accepted (default 64 MiB; scan pages and explain output can be large). */
  public B maxInboundMessageBytes(int bytes) {
    if (bytes < 1024) {
      throw new IllegalArgumentException("maxInboundMessageBytes must be >= 1024; got " + bytes);
    }
    this.maxInboundMessageBytes = bytes;
    return self();
  }

  /**
   * Interceptors around every call (tracing, metrics, extra headers); as with gRPC's {@code
   * ManagedChannelBuilder.intercept}, the last one runs first. They see each logical call once;
   * retry attempts happen beneath them (a {@code ClientStreamTracer} sees each attempt).
   */
  public B intercept(ClientInterceptor... interceptors) {
    this.interceptors.addAll(List.of(interceptors));
    return self();
  }

  void validate() {
    if (target == null && nodes.isEmpty()) {
      throw new IllegalStateException("set target(...) or nodes(...)");
    }
    if (tls == Tls.UNSET) {
      throw new IllegalStateException(
          "choose transport security: trustBundle(pem), systemTrust() or plaintext() (development)");
    }
    if (tls == Tls.PLAINTEXT && clientCertificate != null) {
      throw new IllegalStateException("clientCertificate needs TLS; plaintext() was chosen");
    }
  }

  private static String requireText(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be empty");
    }
    return value.strip();
  }
}
