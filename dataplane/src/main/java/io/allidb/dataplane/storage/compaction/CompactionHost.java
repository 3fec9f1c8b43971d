package io.allidb.dataplane.storage.compaction;

import io.allidb.dataplane.storage.row.Row;
import io.allidb.dataplane.storage.sstable.SSTableReader;
import io.allidb.dataplane.storage.sstable.SSTableWriter;
import java.io.IOException;
import java.util.List;
import java.util.Set;

/**
 * What compaction needs from the engine that owns the tables. Keeps this package free of the engine
 * class (dependencies point down).
 */
public interface CompactionHost {

  /** The live tables, each referenced; give them back with {@link #release}. */
  List<SSTableReader> acquireTables();

  void release(List<SSTableReader> tables);

  /**
   * Whether a source outside the compaction (a memtable, or a table not in {@code inputs}) may hold
   * an older version of the row's key. A tombstone that shadows such a version must be kept, or
   * dropping it would resurrect that version.
   */
  boolean mayShadowOutside(Row row, Set<SSTableReader> inputs);

  /** A writer for the next output table. */
  SSTableWriter newTableWriter(long expectedKeys) throws IOException;

  /** Atomically swaps inputs for outputs in the read set and the manifest. */
  void replaceTables(List<SSTableReader> inputs, List<SSTableReader> outputs) throws IOException;

  /** Wall-clock now in microseconds (expiry and gc_grace). */
  long nowMicros();

  /** Reports a finished compaction for metrics. */
  void compacted(long bytesWritten, long nanos);

  /** Reports a failed compaction for metrics. */
  void compactionFailed();
}
