package io.allidb.dataplane.storage;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
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
  private static void ifOpen(Supplier<StorageStats> stats, java.util.function.Consumer<StorageStats> use) {
    StorageStats s = stats.get();
    if (s != null) {
      use.accept(s);
    }
  }

  StorageMetrics(PrometheusRegistry registry, Supplier<StorageStats> stats) {
    writes =
        Counter.builder()
            .name("allidb_storage_writes_total")
            .help("Rows written (puts, deletes and applied replica rows)")
            .register(registry);
    writeBytes =
        Counter.builder()
            .name("allidb_storage_write_bytes_total")
            .help("Encoded bytes of the rows written")
            .register(registry);
    walFsyncSeconds =
        Histogram.builder()
            .name("allidb_storage_wal_fsync_seconds")
            .unit(Unit.SECONDS)
            .help("Duration of a WAL group write plus fsync")
            .classicOnly()
            .classicExponentialUpperBounds(0.000_05, 2, 16)
            .register(registry);
    walRowsPerFsync =
        Histogram.builder()
            .name("allidb_storage_wal_rows_per_fsync")
            .help("Rows made durable by one WAL fsync (the group-commit size)")
            .classicOnly()
            .classicExponentialUpperBounds(1, 2, 12)
            .register(registry);
    flushes =
        Counter.builder()
            .name("allidb_storage_flushes_total")
            .help("Memtables flushed to SSTables")
            .register(registry);
    flushFailures =
        Counter.builder()
            .name("allidb_storage_flush_failures_total")
            .help("Memtable flushes that failed and will be retried")
            .register(registry);
    compactions =
        Counter.builder()
            .name("allidb_storage_compactions_total")
            .help("Compactions completed")
            .register(registry);
    compactionBytes =
        Counter.builder()
            .name("allidb_storage_compaction_bytes_written_total")
            .help("Bytes written by compactions")
            .register(registry);
    compactionSeconds =
        Counter.builder()
            .name("allidb_storage_compaction_seconds_total")
            .unit(Unit.SECONDS)
            .help("Time spent compacting")
            .register(registry);
    compactionFailures =
        Counter.builder()
            .name("allidb_storage_compaction_failures_total")
            .help("Compactions that failed and will be retried")
            .register(registry);
    GaugeWithCallback.builder()
        .name("allidb_storage_memtable_bytes")
        .help("Bytes held by the active and frozen memtables")
        .callback(cb -> ifOpen(stats, s -> cb.call(s.memtableBytes())))
        .register(registry);
    GaugeWithCallback.builder()
        .name("allidb_storage_sstables_live")
        .help("SSTables in the read set")
        .callback(cb -> ifOpen(stats, s -> cb.call(s.liveSSTables())))
        .register(registry);
    GaugeWithCallback.builder()
        .name("allidb_storage_sstables_live_bytes")
        .help("Bytes on disk of the SSTables in the read set")
        .callback(cb -> ifOpen(stats, s -> cb.call(s.liveSSTableBytes())))
        .register(registry);
  }
}
