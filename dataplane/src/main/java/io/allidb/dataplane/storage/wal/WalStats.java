package io.allidb.dataplane.storage.wal;

/**
 * Cumulative counters of one {@link WalWriter} since it was opened. An immutable snapshot.
 *
 * @param records records appended
 * @param rows rows appended
 * @param bytes bytes appended, framing included
 * @param fsyncs successful fsyncs of record data
 * @param rowsSynced rows made durable by those fsyncs; {@code rowsSynced / fsyncs} is the average
 *     commit group size
 */
public record WalStats(long records, long rows, long bytes, long fsyncs, long rowsSynced) {}
