package io.allidb.bench;

import io.allidb.dataplane.storage.wal.DurabilityMode;

/**
 * One measured run of one engine on one workload cell.
 *
 * @param engine engine name ({@code allidb} or {@code rocksdb})
 * @param durability durability mode
 * @param payload row payload
 * @param batch rows per call
 * @param writers concurrent writer threads
 * @param rows rows acknowledged in the measured window (warm-up excluded)
 * @param elapsedNanos length of the measured window
 * @param p50Micros median latency of one call
 * @param p99Micros 99th percentile latency of one call
 * @param fsyncs WAL fsyncs in the measured window, -1 if the engine does not report them
 * @param rowsSynced rows covered by those fsyncs, -1 if unknown ({@code rows} is used instead)
 * @param error why the run failed, or null
 */
public record WriteResult(
    String engine,
    DurabilityMode durability,
    Workload.Payload payload,
    int batch,
    int writers,
    long rows,
    long elapsedNanos,
    long p50Micros,
    long p99Micros,
    long fsyncs,
    long rowsSynced,
    String error) {

  static WriteResult failed(
      String engine,
      DurabilityMode durability,
      Workload.Payload payload,
      int batch,
      int writers,
      String error) {
    return new WriteResult(engine, durability, payload, batch, writers, 0, 0, 0, 0, -1, -1, error);
  }

  /** Whether the run completed. */
  public boolean ok() {
    return error == null;
  }

  /** Acknowledged rows per second over the measured window. */
  public double rowsPerSecond() {
    return elapsedNanos <= 0 ? 0 : rows * 1e9 / elapsedNanos;
  }

  /** WAL fsyncs per second, NaN if the engine does not report them. */
  public double fsyncsPerSecond() {
    return fsyncs < 0 || elapsedNanos <= 0 ? Double.NaN : fsyncs * 1e9 / elapsedNanos;
  }

  /** Average rows made durable per fsync: the group-commit factor. NaN when there were none. */
  public double rowsPerFsync() {
    if (fsyncs <= 0) {
      return Double.NaN;
    }
    return (double) (rowsSynced >= 0 ? rowsSynced : rows) / fsyncs;
  }
}
