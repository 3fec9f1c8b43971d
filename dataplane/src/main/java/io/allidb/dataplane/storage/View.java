package io.allidb.dataplane.storage;

import io.allidb.dataplane.storage.memtable.Memtable;
import io.allidb.dataplane.storage.row.RowIterator;
import io.allidb.dataplane.storage.row.RowKey;
import io.allidb.dataplane.storage.sstable.SSTableReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * An immutable snapshot of the engine's read set: the active memtable, the frozen memtables waiting
 * for their flush (newest first) and the live SSTables (greatest maximum timestamp first, so a
 * point read can stop as soon as it holds a row newer than everything left).
 *
 * <p>The engine swaps views atomically; readers take a {@linkplain #tryAcquire() reference} on
 * every table of the view they read so compaction can retire tables without closing them under a
 * read.
 */
final class View {
  final Memtable active;
  final List<Memtable> frozen;
  final List<SSTableReader> tables;

  View(Memtable active, List<Memtable> frozen, List<SSTableReader> tables) {
    this.active = active;
    this.frozen = List.copyOf(frozen);
    var sorted = new ArrayList<>(tables);
    sorted.sort(
        Comparator.comparingLong((SSTableReader t) -> t.properties().maxTimestamp())
            .reversed()
            .thenComparing(Comparator.comparingLong(SSTableReader::generation).reversed()));
    this.tables = List.copyOf(sorted);
  }

  /** Memtables newest first: the active one, then the frozen ones. */
  List<Memtable> memtables() {
    var all = new ArrayList<Memtable>(frozen.size() + 1);
    all.add(active);
    all.addAll(frozen);
    return all;
  }

  View withActive(Memtable newActive) {
    var f = new ArrayList<Memtable>(frozen.size() + 1);
    f.add(active);
    f.addAll(frozen);
    return new View(newActive, f, tables);
  }

  View withFlushed(Memtable flushed, SSTableReader table) {
    var f = new ArrayList<>(frozen);
    f.remove(flushed);
    var t = new ArrayList<>(tables);
    t.add(table);
    return new View(active, f, t);
  }

  View withCompacted(List<SSTableReader> inputs, List<SSTableReader> outputs) {
    var t = new ArrayList<>(tables);
    t.removeAll(inputs);
    t.addAll(outputs);
    return new View(active, frozen, t);
  }

  /** The oldest WAL segment that still holds rows of an unflushed memtable. */
  long walStartSegment() {
    return frozen.isEmpty()
        ? active.firstWalSegment()
        : frozen.get(frozen.size() - 1).firstWalSegment();
  }

  long memtableBytes() {
    long b = active.bytes();
    for (Memtable m : frozen) {
      b += m.bytes();
    }
    return b;
  }

  long maxTableTimestamp() {
    return tables.stream().mapToLong(t -> t.properties().maxTimestamp()).max().orElse(0);
  }

  /** References every table; false when one was retired meanwhile (take a newer view). */
  boolean tryAcquire() {
    for (int i = 0; i < tables.size(); i++) {
      if (!tables.get(i).tryRef()) {
        for (int j = 0; j < i; j++) {
          tables.get(j).unref();
        }
        return false;
      }
    }
    return true;
  }

  void release() {
    for (SSTableReader t : tables) {
      t.unref();
    }
  }

  /**
   * Iterators over every source for a key range, newest first; a null bound is open. The caller
   * closes them.
   */
  List<RowIterator> iterators(RowKey from, RowKey to) throws IOException {
    var its = new ArrayList<RowIterator>();
    try {
      for (Memtable m : memtables()) {
        its.add(m.iterator(from, to));
      }
      for (SSTableReader t : tables) {
        its.add(t.iterator(from, to));
      }
      return its;
    } catch (IOException | RuntimeException e) {
      for (RowIterator it : its) {
        try {
          it.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }
}
