/**
 * The write-ahead log: {@link io.allidb.dataplane.storage.wal.WalWriter} appends row batches with
 * group commit, {@link io.allidb.dataplane.storage.wal.WalReplayer} reads them back at startup and
 * repairs a torn tail; {@link io.allidb.dataplane.storage.wal.WalFormat} documents the bytes and
 * the sync sections that let replay tell a torn tail from corruption.
 */
package io.allidb.dataplane.storage.wal;
