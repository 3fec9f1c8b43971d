package io.allidb.dataplane.cluster.transport;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.allidb.dataplane.cluster.proto.InternodeGrpc;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Peers} over gRPC: one {@link ManagedChannel} per peer address (Netty, HTTP/2 keepalive, so
 * a dead connection is noticed between calls), a deadline on every call, retries with exponential
 * backoff and jitter for idempotent calls (resilience4j {@link Retry}, on {@code UNAVAILABLE} only:
 * the call did not reach the peer or the peer could not serve it), and a resilience4j {@link
 * CircuitBreaker} per peer host id, so a failing peer is not hammered and callers fail fast with a
 * status that names it.
 *
 * <p>Channel security comes from the builder: {@link Builder#credentials(ChannelCredentials)} (the
 * security issue passes mTLS credentials) or, explicitly, {@link
 * Builder#plaintextForDevelopment()}. There is no default: a node never talks plaintext by
 * omission.
 *
 * <p>Peers are called by host id, resolved through {@link #addresses()}, which gossip keeps
 * current. Gossip itself calls by address ({@link #callAddress}) without retry or breaker: it has
 * its own failure detector and must keep probing a peer that a breaker would shut out.
 *
 * <p>Thread-safe. {@link #close()} shuts every channel down.
 */
public final class PooledPeers implements Peers {
  private static final Logger logger = LoggerFactory.getLogger(PooledPeers.class);

  /** Deadline of a call when no per-RPC deadline is configured. */
  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(2);

  private final String localHostId;
  private final PeerAddresses addresses;
  private final ChannelCredentials credentials;
  private final Duration defaultDeadline;
  private final Map<String, Duration> deadlines;
  private final int maxInboundMessageBytes;
  private final NetworkFaults faults;
  private final RetryConfig retryConfig;
  private final CircuitBreakerRegistry breakers;
  private final InternodeMetrics metrics;
  private final ScheduledExecutorService retryScheduler;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final Map<String, Retry> retries = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private PooledPeers(Builder b) {
    this.localHostId = b.localHostId;
    this.addresses = b.addresses;
    this.credentials = b.credentials;
    this.defaultDeadline = b.defaultDeadline;
    this.deadlines = Map.copyOf(b.deadlines);
    this.maxInboundMessageBytes = b.maxInboundMessageBytes;
    this.faults = b.faults;
    this.retryConfig =
        RetryConfig.custom()
            .maxAttempts(b.maxAttempts)
            .intervalFunction(
                IntervalFunction.ofExponentialRandomBackoff(b.initialBackoff, 2.0, 0.5))
            .retryOnException(PooledPeers::retryable)
            .build();
    this.breakers = CircuitBreakerRegistry.of(b.breakerConfig);
    this.metrics = new InternodeMetrics(b.metrics, breakers);
    this.retryScheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "internode-retry-" + localHostId);
              t.setDaemon(true);
              return t;
            });
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The address book this instance resolves host ids with; gossip keeps it current. */
  public PeerAddresses addresses() {
    return addresses;
  }

  @Override
  public <T> CompletableFuture<T> call(
      String hostId,
      String rpc,
      boolean idempotent,
      Function<InternodeGrpc.InternodeFutureStub, ListenableFuture<T>> call) {
    long start = System.nanoTime();
    Optional<String> address = addresses.addressOf(hostId);
    if (address.isEmpty()) {
      var e =
          Status.UNAVAILABLE
              .withDescription("no known internode address for peer " + hostId)
              .asRuntimeException();
      metrics.calls.labelValues(hostId, rpc, "NO_ADDRESS").inc();
      return CompletableFuture.failedFuture(e);
    }
    CircuitBreaker breaker = breakers.circuitBreaker(hostId);
    Supplier<CompletionStage<T>> attempt =
        () -> breaker.executeCompletionStage(() -> invoke(address.get(), rpc, call));
    CompletionStage<T> stage =
        idempotent
            ? retry(hostId, rpc).executeCompletionStage(retryScheduler, attempt)
            : attempt.get();
    var out = new CompletableFuture<T>();
    stage.whenComplete(
        (value, error) -> {
          metrics.callSeconds.labelValues(rpc).observe((System.nanoTime() - start) / 1e9);
          if (error == null) {
            metrics.calls.labelValues(hostId, rpc, "OK").inc();
            out.complete(value);
            return;
          }
          Throwable cause = unwrap(error);
          if (cause instanceof CallNotPermittedException) {
            metrics.calls.labelValues(hostId, rpc, "CIRCUIT_OPEN").inc();
            out.completeExceptionally(
                Status.UNAVAILABLE
                    .withDescription(
                        "circuit breaker open for peer " + hostId + " (" + rpc + " not sent)")
                    .asRuntimeException());
            return;
          }
          metrics
              .calls
              .labelValues(hostId, rpc, Status.fromThrowable(cause).getCode().name())
              .inc();
          out.completeExceptionally(cause);
        });
    return out;
  }

  /**
   * Calls the peer at {@code address} once, with the deadline but without retry or circuit breaker;
   * for gossip, which reaches seeds before it knows their host ids.
   */
  public <T> CompletableFuture<T> callAddress(
      String address,
      String rpc,
      Function<InternodeGrpc.InternodeFutureStub, ListenableFuture<T>> call) {
    String peer = addresses.hostIdAt(address).orElse(address);
    return invoke(address, rpc, call)
        .whenComplete(
            (v, e) ->
                metrics
                    .calls
                    .labelValues(
                        peer,
                        rpc,
                        e == null ? "OK" : Status.fromThrowable(unwrap(e)).getCode().name())
                    .inc());
  }

  /** The circuit breaker state of a peer, for tests and the admin API. */
  public CircuitBreaker.State breakerState(String hostId) {
    return breakers.circuitBreaker(hostId).getState();
  }

  private Retry retry(String hostId, String rpc) {
    return retries.computeIfAbsent(
        hostId + "/" + rpc,
        name -> {
          Retry r = Retry.of(name, retryConfig);
          r.getEventPublisher().onRetry(e -> metrics.retries.labelValues(hostId, rpc).inc());
          return r;
        });
  }

  private <T> CompletableFuture<T> invoke(
      String address,
      String rpc,
      Function<InternodeGrpc.InternodeFutureStub, ListenableFuture<T>> call) {
    var out = new CompletableFuture<T>();
    if (closed) {
      out.completeExceptionally(
          Status.UNAVAILABLE.withDescription("internode transport closed").asRuntimeException());
      return out;
    }
    Duration deadline = deadlines.getOrDefault(rpc, defaultDeadline);
    ListenableFuture<T> future;
    try {
      var stub =
          InternodeGrpc.newFutureStub(channel(address))
              .withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
      future = call.apply(stub);
    } catch (RuntimeException e) {
      out.completeExceptionally(e);
      return out;
    }
    Futures.addCallback(
        future,
        new FutureCallback<T>() {
          @Override
          public void onSuccess(T result) {
            out.complete(result);
          }

          @Override
          public void onFailure(Throwable t) {
            out.completeExceptionally(t);
          }
        },
        MoreExecutors.directExecutor());
    return out;
  }

  private ManagedChannel channel(String address) {
    return channels.computeIfAbsent(address, this::newChannel);
  }

  private ManagedChannel newChannel(String address) {
    ManagedChannelBuilder<?> b =
        Grpc.newChannelBuilder(address, credentials)
            .maxInboundMessageSize(maxInboundMessageBytes)
            // ping idle connections so a peer that vanished (pod deleted, cable pulled) is noticed
            // before the next call waits out its deadline; the server permits this rate
            .keepAliveTime(30, TimeUnit.SECONDS)
            .keepAliveTimeout(10, TimeUnit.SECONDS)
            .keepAliveWithoutCalls(true)
            // resilience4j retries; gRPC's own retry would multiply attempts behind our backs
            .disableRetry();
    if (faults != null) {
      b.intercept(faults.interceptor(localHostId, addresses));
    }
    logger.debug("{}: opening internode channel to {}", localHostId, address);
    return b.build();
  }

  private static boolean retryable(Throwable t) {
    return Status.fromThrowable(unwrap(t)).getCode() == Status.Code.UNAVAILABLE
        && !(unwrap(t) instanceof CallNotPermittedException);
  }

  /**
   * Peer trouble opens the breaker; a peer that answers with an error about the request does not.
   */
  private static boolean peerFailure(Throwable t) {
    Status.Code code = Status.fromThrowable(unwrap(t)).getCode();
    return code == Status.Code.UNAVAILABLE
        || code == Status.Code.DEADLINE_EXCEEDED
        || code == Status.Code.INTERNAL
        || code == Status.Code.UNKNOWN;
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  @Override
  public void close() {
    closed = true;
    channels.values().forEach(ManagedChannel::shutdown);
    for (ManagedChannel c : channels.values()) {
      try {
        if (!c.awaitTermination(5, TimeUnit.SECONDS)) {
          c.shutdownNow();
        }
      } catch (InterruptedException e) {
        c.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
    retryScheduler.shutdownNow();
    metrics.unregister();
  }

  /** Builder; {@link #localHostId}, {@link #addresses} and a security choice are required. */
  public static final class Builder {
    private String localHostId;
    private PeerAddresses addresses;
    private ChannelCredentials credentials;
    private Duration defaultDeadline = DEFAULT_DEADLINE;
    private final Map<String, Duration> deadlines = new ConcurrentHashMap<>();
    private int maxInboundMessageBytes = 16 << 20;
    private int maxAttempts = 3;
    private Duration initialBackoff = Duration.ofMillis(50);
    private CircuitBreakerConfig breakerConfig = defaultBreakerConfig();
    private NetworkFaults faults;
    private PrometheusRegistry metrics = new PrometheusRegistry();

    private Builder() {
      // a Merkle tree or a stream page is one pass over the peer's data, not a point lookup
      deadlines.put("MerkleTree", Duration.ofSeconds(120));
      deadlines.put("StreamRows", Duration.ofSeconds(60));
    }

    /**
     * The breaker opens when at least half of the last 20 calls (10 at minimum) failed for peer
     * reasons, stays open 5 s, then lets 3 trial calls through. A down peer is also skipped by the
     * failure detector; the breaker covers a peer that gossips but cannot serve.
     */
    public static CircuitBreakerConfig defaultBreakerConfig() {
      return CircuitBreakerConfig.custom()
          .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
          .slidingWindowSize(20)
          .minimumNumberOfCalls(10)
          .failureRateThreshold(50)
          .waitDurationInOpenState(Duration.ofSeconds(5))
          .permittedNumberOfCallsInHalfOpenState(3)
          .recordException(PooledPeers::peerFailure)
          .build();
    }

    public Builder localHostId(String v) {
      this.localHostId = v;
      return this;
    }

    public Builder addresses(PeerAddresses v) {
      this.addresses = v;
      return this;
    }

    /** Channel credentials (mTLS in production). */
    public Builder credentials(ChannelCredentials v) {
      this.credentials = v;
      return this;
    }

    /** Unencrypted, unauthenticated internode traffic: development and tests only. */
    public Builder plaintextForDevelopment() {
      this.credentials = InsecureChannelCredentials.create();
      return this;
    }

    /** Deadline of calls whose RPC has no deadline of its own (default 2 s). */
    public Builder defaultDeadline(Duration v) {
      this.defaultDeadline = positive("defaultDeadline", v);
      return this;
    }

    /** Deadline of one RPC by name (the {@code rpc} argument of {@link Peers#call}). */
    public Builder deadline(String rpc, Duration v) {
      deadlines.put(rpc, positive("deadline of " + rpc, v));
      return this;
    }

    public Builder maxInboundMessageBytes(int v) {
      this.maxInboundMessageBytes = v;
      return this;
    }

    /**
     * Attempts of an idempotent call (default 3), the first retry after about {@code
     * initialBackoff} (default 50 ms), doubling, each wait randomised by +-50% so that callers
     * retrying the same peer spread out.
     */
    public Builder retries(int maxAttempts, Duration initialBackoff) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be >= 1; got " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      this.initialBackoff = positive("initialBackoff", initialBackoff);
      return this;
    }

    public Builder circuitBreaker(CircuitBreakerConfig v) {
      this.breakerConfig = Objects.requireNonNull(v);
      return this;
    }

    /** Fault injection for tests; production leaves it unset. */
    public Builder faults(NetworkFaults v) {
      this.faults = v;
      return this;
    }

    public Builder metrics(PrometheusRegistry v) {
      this.metrics = Objects.requireNonNull(v);
      return this;
    }

    public PooledPeers build() {
      Objects.requireNonNull(localHostId, "localHostId");
      Objects.requireNonNull(addresses, "addresses");
      if (credentials == null) {
        throw new IllegalStateException(
            "internode channels need credentials (mTLS) or an explicit plaintextForDevelopment()");
      }
      return new PooledPeers(this);
    }

    private static Duration positive(String name, Duration v) {
      if (v.isNegative() || v.isZero()) {
        throw new IllegalArgumentException(name + " must be positive; got " + v);
      }
      return v;
    }
  }
}
