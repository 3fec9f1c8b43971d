package io.allidb.dataplane.storage;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The storage engine's Prometheus metrics ({@code allidb_storage_*}). Counters and histograms are
 * updated on the write, flush and compaction paths; gauges read the engine's state at scrape time.
 * Thread-safe.
 */
final class StorageMetrics {
  final Counter writes;
  final Counter writeBytes;
  final Histogram walFsyncSeconds;
  final Histogram walRowsPerFsync;
  final Counter flushes;
  final Counter flushFailures;
  final Counter compactions;
  final Counter compactionBytes;
  final Counter compactionSeconds;
  final Counter compactionFailures;

  /** Gauges are read at scrape time, which may come while the engine is still opening. */
  private static void ifOpen(
      Supplier<StorageStats> stats, java.util.function.Consumer<StorageStats> use) {
    StorageStats s = stats.get();
    if (s != null) {
      use.accept(s);
    }
  }

  private final PrometheusRegistry registry;
  private final List<Collector> registered = new ArrayList<>();

  private <T extends Collector> T track(T collector) {
    registered.add(collector);
    return collector;
  }

  /** Removes the metrics from the registry, so the engine can be reopened on the same registry. */
  void unregister() {
    registered.forEach(registry::unregister);
  }

  StorageMetrics(PrometheusRegistry registry, Supplier<StorageStats> stats) {
    this.registry = registry;
    writes =
        track(
            Counter.builder()
                .name("allidb_storage_writes_total")
                .help("Rows written (puts, deletes and applied replica rows)")
                .register(registry));
    writeBytes =
        track(
            Counter.builder()
                .name("allidb_storage_write_bytes_total")
                .help("Encoded bytes of the rows written")
                .register(registry));
    walFsyncSeconds =
        track(
            Histogram.builder()
                .name("allidb_storage_wal_fsync_seconds")
                .unit(Unit.SECONDS)
                .help("Duration of a WAL group write plus fsync")
                .classicOnly()
                .classicExponentialUpperBounds(0.000_05, 2, 16)
                .register(registry));
    walRowsPerFsync =
        track(
            Histogram.builder()
                .name("allidb_storage_wal_rows_per_fsync")
                .help("Rows made durable by one WAL fsync (the group-commit size)")
                .classicOnly()
                .classicExponentialUpperBounds(1, 2, 12)
                .register(registry));
    flushes =
        track(
            Counter.builder()
                .name("allidb_storage_flushes_total")
                .help("Memtables flushed to SSTables")
                .register(registry));
    flushFailures =
        track(
            Counter.builder()
                .name("allidb_storage_flush_failures_total")
                .help("Memtable flushes that failed and will be retried")
                .register(registry));
    compactions =
        track(
            Counter.builder()
                .name("allidb_storage_compactions_total")
                .help("Compactions completed")
                .register(registry));
    compactionBytes =
        track(
            Counter.builder()
                .name("allidb_storage_compaction_bytes_written_total")
                .help("Bytes written by compactions")
                .register(registry));
    compactionSeconds =
        track(
            Counter.builder()
                .name("allidb_storage_compaction_seconds_total")
                .unit(Unit.SECONDS)
                .help("Time spent compacting")
                .register(registry));
    compactionFailures =
        track(
            Counter.builder()
                .name("allidb_storage_compaction_failures_total")
                .help("Compactions that failed and will be retried")
                .register(registry));
    track(
        GaugeWithCallback.builder()
            .name("allidb_storage_memtable_bytes")
            .help("Bytes held by the active and frozen memtables")
            .callback(cb -> ifOpen(stats, s -> cb.call(s.memtableBytes())))
            .register(registry));
    track(
        GaugeWithCallback.builder()
            .name("allidb_storage_sstables_live")
            .help("SSTables in the read set")
            .callback(cb -> ifOpen(stats, s -> cb.call(s.liveSSTables())))
            .register(registry));
    track(
        GaugeWithCallback.builder()
            .name("allidb_storage_sstables_live_bytes")
            .help("Bytes on disk of the SSTables in the read set")
            .callback(cb -> ifOpen(stats, s -> cb.call(s.liveSSTableBytes())))
            .register(registry));
  }
}
