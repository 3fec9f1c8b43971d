package io.allidb.dataplane.cluster.hints;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Hinted handoff metrics ({@code allidb_hints_*}): hints written, delivered and dropped (by
 * reason), and the backlog per target host read at scrape time. Thread-safe.
 */
final class HintMetrics {
  final Counter written;
  final Counter delivered;
  final Counter dropped;
  final Counter corruptFiles;
  private final PrometheusRegistry registry;
  private final List<Collector> registered = new ArrayList<>();

  /** Backlog of one target host. */
  record Backlog(long hints, long bytes) {}

  HintMetrics(PrometheusRegistry registry, Supplier<Map<String, Backlog>> backlog) {
    this.registry = registry;
    written =
        track(
            Counter.builder()
                .name("allidb_hints_written_total")
                .help("Rows stored as hints for replicas that were down, failed or timed out")
                .register(registry));
    delivered =
        track(
            Counter.builder()
                .name("allidb_hints_delivered_total")
                .help("Hinted rows delivered to their replica")
                .register(registry));
    dropped =
        track(
            Counter.builder()
                .name("allidb_hints_dropped_total")
                .help("Hinted rows dropped: older than the hint window, or in a corrupt file")
                .labelNames("reason")
                .register(registry));
    corruptFiles =
        track(
            Counter.builder()
                .name("allidb_hints_corrupt_files_total")
                .help("Hint files found damaged and set aside as *.corrupt")
                .register(registry));
    track(
        GaugeWithCallback.builder()
            .name("allidb_hints_pending")
            .help("Hinted rows waiting for delivery, per target host")
            .labelNames("target")
            .callback(cb -> backlog.get().forEach((h, b) -> cb.call(b.hints(), h)))
            .register(registry));
    track(
        GaugeWithCallback.builder()
            .name("allidb_hints_pending_bytes")
            .help("Bytes of hint files waiting for delivery, per target host")
            .labelNames("target")
            .callback(cb -> backlog.get().forEach((h, b) -> cb.call(b.bytes(), h)))
            .register(registry));
  }

  private <T extends Collector> T track(T c) {
    registered.add(c);
    return c;
  }

  void unregister() {
    registered.forEach(registry::unregister);
  }
}
