package io.allidb.dataplane.storage;

import io.allidb.dataplane.storage.wal.WalListener;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Feeds WAL group commits into the fsync-latency and rows-per-fsync histograms. */
final class WalMetricsListener implements WalListener {
  private static final Logger logger = LoggerFactory.getLogger(WalMetricsListener.class);
  private final StorageMetrics metrics;

  WalMetricsListener(StorageMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void synced(int records, int rows, long bytes, long nanos) {
    metrics.walFsyncSeconds.observe(nanos / 1e9);
    metrics.walRowsPerFsync.observe(rows);
  }

  @Override
  public void failed(IOException e) {
    logger.error("WAL write failed: {}", e.toString());
  }
}
