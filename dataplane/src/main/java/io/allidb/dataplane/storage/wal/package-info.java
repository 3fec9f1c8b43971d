/**
 * The write-ahead log: {@link io.allidb.dataplane.storage.wal.WalWriter} appends row batches with
 * group commit, {@link io.allidb.dataplane.storage.wal.WalReplayer} reads them back at startup and
 * repairs a torn tail; {@link io.allidb.dataplane.storage.wal.WalFormat} documents the bytes.
 */
package io.allidb.dataplane.storage.wal;
