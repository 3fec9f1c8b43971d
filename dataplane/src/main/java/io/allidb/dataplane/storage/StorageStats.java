package io.allidb.dataplane.storage;

/**
 * A point-in-time snapshot of an engine's counters (cumulative since open) and gauges.
 *
 * @param rowsWritten rows accepted through the write path (puts, deletes, applied rows)
 * @param walFsyncs WAL fsyncs performed
 * @param walRowsSynced rows made durable by those fsyncs (rows per fsync = walRowsSynced /
 *     walFsyncs)
 * @param memtableBytes bytes held by the active and frozen memtables
 * @param flushes memtables flushed to SSTables
 * @param liveSSTables SSTables currently in the read set
 * @param liveSSTableBytes their total size on disk
 * @param compactions compactions completed
 * @param compactionFailures compactions that failed (and were retried)
 */
public record StorageStats(
    long rowsWritten,
    long walFsyncs,
    long walRowsSynced,
    long memtableBytes,
    long flushes,
    int liveSSTables,
    long liveSSTableBytes,
    long compactions,
    long compactionFailures) {}
