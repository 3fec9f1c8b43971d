package io.allidb.dataplane.ai;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.List;

/**
 * Prometheus metrics of the AI providers: {@code allidb_embedding_*} for embedding calls and {@code
 * allidb_llm_*} for LLM calls, labelled by provider; plus {@code
 * allidb_extraction_validation_failures_total}. Thread-safe.
 */
public final class AiMetrics implements AutoCloseable {
  /** One call family's metrics (embedding or LLM). */
  public record Family(Counter requests, Counter retries, Histogram seconds, Counter items) {
    void outcome(String provider, String outcome) {
      requests.labelValues(provider, outcome).inc();
    }
  }

  private final PrometheusRegistry registry;
  private final List<Collector> registered = new ArrayList<>();
  private final Family embedding;
  private final Family llm;
  private final Counter validationFailures;

  public AiMetrics(PrometheusRegistry registry) {
    this.registry = registry;
    embedding = family("embedding", "texts", "Texts embedded");
    llm = family("llm", "prompts", "Prompts completed");
    validationFailures =
        track(
            Counter.builder()
                .name("allidb_extraction_validation_failures_total")
                .help("LLM extraction answers that failed JSON or JSON Schema validation")
                .register(registry));
  }

  /** Metrics on a registry of their own (the CLI, tests). */
  public static AiMetrics standalone() {
    return new AiMetrics(new PrometheusRegistry());
  }

  private Family family(String subsystem, String itemName, String itemHelp) {
    String p = "allidb_" + subsystem + "_";
    return new Family(
        track(
            Counter.builder()
                .name(p + "requests_total")
                .help("HTTP or in-process provider calls by outcome (ok, error)")
                .labelNames("provider", "outcome")
                .register(registry)),
        track(
            Counter.builder()
                .name(p + "retries_total")
                .help("Provider calls retried after a retryable failure")
                .labelNames("provider")
                .register(registry)),
        track(
            Histogram.builder()
                .name(p + "request_seconds")
                .unit(Unit.SECONDS)
                .help("Duration of one provider call attempt")
                .labelNames("provider")
                .register(registry)),
        track(
            Counter.builder()
                .name(p + itemName + "_total")
                .help(itemHelp)
                .labelNames("provider")
                .register(registry)));
  }

  private <T extends Collector> T track(T c) {
    registered.add(c);
    return c;
  }

  public Family embedding() {
    return embedding;
  }

  public Family llm() {
    return llm;
  }

  void validationFailed() {
    validationFailures.inc();
  }

  /** Removes the metrics from the registry. */
  @Override
  public void close() {
    registered.forEach(registry::unregister);
  }
}
