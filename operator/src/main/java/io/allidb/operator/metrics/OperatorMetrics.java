package io.allidb.operator.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
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
  private final Gauge certificateExpiry;
  private final Gauge repairLastSuccess;
  // series per cluster, so that certificates of removed pods and deleted clusters disappear
  private final java.util.Map<String, java.util.Set<String>> certificateSeries =
      new java.util.concurrent.ConcurrentHashMap<>();

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
    certificateExpiry =
        Gauge.builder()
            .name("allidb_certificate_expiry_seconds")
            .help("Seconds until a certificate of an AlliCluster expires (negative: expired)")
            .labelNames("namespace", "allicluster", "certificate")
            .register(registry);
    repairLastSuccess =
        Gauge.builder()
            .name("allidb_repair_last_success_timestamp_seconds")
            .help("Unix time at which the last complete repair round of an AlliCluster finished")
            .labelNames("namespace", "allicluster")
            .register(registry);
  }

  /**
   * Replaces one cluster's certificate expiry series.
   *
   * @param secondsLeft seconds left per certificate name; series not named here are removed
   */
  public synchronized void certificates(
      String namespace, String cluster, java.util.Map<String, Double> secondsLeft) {
    var key = namespace + "/" + cluster;
    var previous = certificateSeries.getOrDefault(key, java.util.Set.of());
    for (var name : previous) {
      if (!secondsLeft.containsKey(name)) {
        certificateExpiry.remove(namespace, cluster, name);
      }
    }
    secondsLeft.forEach(
        (name, s) -> certificateExpiry.labelValues(namespace, cluster, name).set(s));
    if (secondsLeft.isEmpty()) {
      certificateSeries.remove(key);
    } else {
      certificateSeries.put(key, java.util.Set.copyOf(secondsLeft.keySet()));
    }
  }

  /** The last complete repair round's end; null clears the series. */
  public void repairCompleted(String namespace, String cluster, java.time.Instant at) {
    if (at == null) {
      repairLastSuccess.remove(namespace, cluster);
    } else {
      repairLastSuccess.labelValues(namespace, cluster).set(at.getEpochSecond());
    }
  }

  /** A deleted cluster leaves no series behind. */
  public void forget(String namespace, String cluster) {
    certificates(namespace, cluster, java.util.Map.of());
    repairCompleted(namespace, cluster, null);
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
