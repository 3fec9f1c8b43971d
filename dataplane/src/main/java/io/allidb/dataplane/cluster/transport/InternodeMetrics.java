package io.allidb.dataplane.cluster.transport;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.List;

/**
 * Client-side internode metrics ({@code allidb_internode_*}). Peers are labelled by host id (or by
 * address before the host id is known, e.g. a seed), so the label set is bounded by the cluster
 * size. Thread-safe.
 */
final class InternodeMetrics {
  final Counter calls;
  final Histogram callSeconds;
  final Counter retries;
  private final PrometheusRegistry registry;
  private final List<Collector> registered = new ArrayList<>();

  InternodeMetrics(PrometheusRegistry registry, CircuitBreakerRegistry breakers) {
    this.registry = registry;
    calls =
        track(
            Counter.builder()
                .name("allidb_internode_calls_total")
                .help(
                    "Internode calls by peer, RPC and outcome (a gRPC status code or CIRCUIT_OPEN)")
                .labelNames("peer", "rpc", "outcome")
                .register(registry));
    callSeconds =
        track(
            Histogram.builder()
                .name("allidb_internode_call_duration_seconds")
                .unit(Unit.SECONDS)
                .help("Duration of internode calls including retries")
                .labelNames("rpc")
                .classicOnly()
                .classicExponentialUpperBounds(0.000_1, 2, 16)
                .register(registry));
    retries =
        track(
            Counter.builder()
                .name("allidb_internode_retries_total")
                .help("Retried internode call attempts by peer and RPC")
                .labelNames("peer", "rpc")
                .register(registry));
    track(
        GaugeWithCallback.builder()
            .name("allidb_internode_circuit_open")
            .help("1 while the circuit breaker of the peer is open or half-open, else 0")
            .labelNames("peer")
            .callback(
                cb -> {
                  for (CircuitBreaker b : breakers.getAllCircuitBreakers()) {
                    boolean closed = b.getState() == CircuitBreaker.State.CLOSED;
                    cb.call(closed ? 0 : 1, b.getName());
                  }
                })
            .register(registry));
  }

  private <T extends Collector> T track(T collector) {
    registered.add(collector);
    return collector;
  }

  /** Removes the metrics from the registry, so a node can be restarted on the same registry. */
  void unregister() {
    registered.forEach(registry::unregister);
  }
}
