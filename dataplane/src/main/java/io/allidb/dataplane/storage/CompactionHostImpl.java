package io.allidb.dataplane.storage;

import io.allidb.dataplane.storage.compaction.CompactionHost;
import io.allidb.dataplane.storage.memtable.Memtable;
import io.allidb.dataplane.storage.row.Row;
import io.allidb.dataplane.storage.sstable.SSTableReader;
import io.allidb.dataplane.storage.sstable.SSTableWriter;
import java.io.IOException;
import java.util.List;
import java.util.Set;

/** The engine as compaction sees it. */
final class CompactionHostImpl implements CompactionHost {
  private final StorageEngine engine;

  CompactionHostImpl(StorageEngine engine) {
    this.engine = engine;
  }

  @Override
  public List<SSTableReader> acquireTables() {
    while (true) {
      View v = engine.view();
      if (v.tryAcquire()) {
        return v.tables;
      }
    }
  }

  @Override
  public void release(List<SSTableReader> tables) {
    tables.forEach(SSTableReader::unref);
  }

  @Override
  public boolean mayShadowOutside(Row row, Set<SSTableReader> inputs) {
    View v = engine.view();
    for (Memtable m : v.memtables()) {
      var other = m.get(row.key());
      if (other.isPresent() && other.get().timestamp() <= row.timestamp()) {
        return true;
      }
    }
    for (SSTableReader t : v.tables) {
      if (!inputs.contains(t)
          && t.properties().minTimestamp() <= row.timestamp()
          && t.mightContain(row.key())) {
        return true;
      }
    }
    return false;
  }

  @Override
  public SSTableWriter newTableWriter(long expectedKeys) throws IOException {
    return engine.files().newTableWriter(expectedKeys);
  }

  @Override
  public void replaceTables(List<SSTableReader> inputs, List<SSTableReader> outputs)
      throws IOException {
    engine.replaceTables(inputs, outputs);
  }

  @Override
  public long nowMicros() {
    return engine.clock().wallMicros();
  }

  @Override
  public void compacted(long bytesWritten, long nanos) {
    engine.metrics().compactions.inc();
    engine.metrics().compactionBytes.inc(bytesWritten);
    engine.metrics().compactionSeconds.inc(nanos / 1e9);
  }

  @Override
  public void compactionFailed() {
    engine.metrics().compactionFailures.inc();
  }
}
