package io.allidb.operator.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The operator's own metrics (client_java 1.x), low cardinality: no per-cluster labels on the hot
 * counters, so a thousand clusters do not mean a thousand series each. Thread-safe.
 */
public final class OperatorMetrics {
  private final Counter reconciles;
  private final Counter errors;
  private final Histogram duration;
  private final Counter ringOperations;

  public OperatorMetrics(PrometheusRegistry registry) {
    reconciles =
        Counter.builder()
            .name("allidb_operator_reconciles_total")
            .help("Reconciles of AlliCluster resources, by outcome")
            .labelNames("outcome")
            .register(registry);
    errors =
        Counter.builder()
            .name("allidb_operator_reconcile_errors_total")
            .help("Reconciles that ended in an exception (retried with backoff)")
            .register(registry);
    duration =
        Histogram.builder()
            .name("allidb_operator_reconcile_duration_seconds")
            .help("Time spent in one reconcile")
            .register(registry);
    ringOperations =
        Counter.builder()
            .name("allidb_operator_ring_operations_total")
            .help("Ring operations started or finished, by type and event")
            .labelNames("type", "event")
            .register(registry);
  }

  /** outcome: ok, invalid, paused. */
  public void reconciled(String outcome, double seconds) {
    reconciles.labelValues(outcome).inc();
    duration.observe(seconds);
  }

  public void failed(double seconds) {
    reconciles.labelValues("error").inc();
    errors.inc();
    duration.observe(seconds);
  }

  /** event: started, finished. */
  public void ringOperation(String type, String event) {
    ringOperations.labelValues(type, event).inc();
  }
}
