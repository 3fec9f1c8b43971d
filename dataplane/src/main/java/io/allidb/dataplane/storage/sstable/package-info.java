/**
 * Sorted string tables: the immutable, checksummed files a memtable flushes to and compaction
 * merges. {@link io.allidb.dataplane.storage.sstable.SSTableFormat} documents the byte layout,
 * {@link io.allidb.dataplane.storage.sstable.SSTableWriter} writes a table and {@link
 * io.allidb.dataplane.storage.sstable.SSTableReader} reads one.
 */
package io.allidb.dataplane.storage.sstable;
