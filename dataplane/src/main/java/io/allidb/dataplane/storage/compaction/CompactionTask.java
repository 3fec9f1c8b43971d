package io.allidb.dataplane.storage.compaction;

import io.allidb.dataplane.storage.row.MergingIterator;
import io.allidb.dataplane.storage.row.Row;
import io.allidb.dataplane.storage.row.RowCodec;
import io.allidb.dataplane.storage.row.RowIterator;
import io.allidb.dataplane.storage.row.RowKey;
import io.allidb.dataplane.storage.sstable.SSTableReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * One merge of SSTables into one new SSTable.
 *
 * <p>Keeps the {@link io.allidb.dataplane.storage.row.LastWriteWins} winner of every key. Drops a
 * tombstone (or an expired row) only when its deletion is older than {@code gc_grace} <em>and</em>
 * no source outside the merge may hold an older version of its key; otherwise the tombstone must
 * live on to keep shadowing that version (and for repair to propagate the delete within gc_grace).
 *
 * <p>A cleanup (a major compaction with a {@code keep} filter) also drops every version of each key
 * the filter refuses, tombstones and expired rows included and regardless of gc_grace: they belong
 * to token ranges this node no longer replicates, whose owners hold their own copies.
 *
 * <p>The output is written under a temporary name and becomes live only through {@link
 * CompactionHost#replaceTables}; a failure at any point leaves the inputs live and no partial
 * output.
 */
public final class CompactionTask {
  private final List<SSTableReader> inputs;
  private final CompactionHost host;
  private final long gcGraceMicros;
  private final IoThrottle throttle;
  private final BooleanSupplier aborted;
  private final Predicate<RowKey> keep;
  private final List<RowKey> droppedLive = new ArrayList<>();

  /**
   * What a merge did.
   *
   * @param rowsDropped keys a cleanup's filter refused (every version of each is gone)
   * @param bytesDropped encoded size of the winning rows of those keys
   * @param droppedLive the dropped keys whose winning row was live (not a tombstone): what the
   *     indexes may still hold
   */
  public record Result(
      int inputs,
      long rowsWritten,
      long rowsPurged,
      long bytesWritten,
      long rowsDropped,
      long bytesDropped,
      List<RowKey> droppedLive) {}

  public CompactionTask(
      List<SSTableReader> inputs,
      CompactionHost host,
      long gcGraceMicros,
      IoThrottle throttle,
      BooleanSupplier aborted) {
    this(inputs, host, gcGraceMicros, throttle, aborted, null);
  }

  /**
   * @param keep the keys to keep; null keeps every key (an ordinary compaction)
   */
  public CompactionTask(
      List<SSTableReader> inputs,
      CompactionHost host,
      long gcGraceMicros,
      IoThrottle throttle,
      BooleanSupplier aborted,
      Predicate<RowKey> keep) {
    this.keep = keep;
    this.inputs = List.copyOf(inputs);
    this.host = host;
    this.gcGraceMicros = gcGraceMicros;
    this.throttle = throttle;
    this.aborted = aborted;
  }

  public Result run() throws IOException {
    Set<SSTableReader> inputSet = Collections.newSetFromMap(new IdentityHashMap<>());
    inputSet.addAll(inputs);
    long now = host.nowMicros();
    long expected = inputs.stream().mapToLong(t -> t.properties().rowCount()).sum();
    long written = 0;
    long purged = 0;
    long dropped = 0;
    long droppedBytes = 0;
    var sources = new ArrayList<RowIterator>();
    for (SSTableReader t : inputs) {
      sources.add(t.iterator(null, null));
    }
    try (var merged = new MergingIterator(sources);
        var writer = host.newTableWriter(expected)) {
      while (merged.hasNext()) {
        if (aborted.getAsBoolean()) {
          throw new IOException("compaction aborted: engine is closing");
        }
        Row row = merged.next();
        throttle.acquire(RowCodec.encodedSize(row));
        if (keep != null && !keep.test(row.key())) {
          dropped++;
          droppedBytes += RowCodec.encodedSize(row);
          if (!row.tombstone()) {
            droppedLive.add(row.key());
          }
          continue;
        }
        if (isPurgeable(row, now) && !host.mayShadowOutside(row, inputSet)) {
          purged++;
          continue;
        }
        writer.add(row);
        written++;
      }
      List<SSTableReader> outputs = written == 0 ? List.of() : List.of(writer.finish());
      try {
        host.replaceTables(inputs, outputs);
      } catch (IOException | RuntimeException e) {
        for (SSTableReader out : outputs) {
          out.markObsolete();
          out.unref();
        }
        throw e;
      }
      return new Result(
          inputs.size(),
          written,
          purged,
          writer.bytesWritten(),
          dropped,
          droppedBytes,
          List.copyOf(droppedLive));
    }
  }

  private boolean isPurgeable(Row row, long now) {
    return row.isDeletedAt(now) && now - row.deletionTimeMicros() > gcGraceMicros;
  }
}
