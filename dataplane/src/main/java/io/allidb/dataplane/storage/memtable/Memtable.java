package io.allidb.dataplane.storage.memtable;

import io.allidb.dataplane.storage.memtable.MemtableArena.Slice;
import io.allidb.dataplane.storage.row.LastWriteWins;
import io.allidb.dataplane.storage.row.Row;
import io.allidb.dataplane.storage.row.RowIterator;
import io.allidb.dataplane.storage.row.RowKey;
import java.util.Iterator;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-memory write buffer: the winning version per key, sorted.
 *
 * <p>A concurrent skip list keyed by {@link RowKey}; {@link #put(Row)} keeps whichever of the old
 * and new version {@link LastWriteWins} picks, so arrival order never matters. Values are copied
 * into a {@link MemtableArena} (large slabs the garbage collector never copies) and rows are
 * materialized again on read; see the arena for why. Size accounting counts arena bytes (values,
 * overwritten ones included) plus a fixed cost per key, and drives the flush decision.
 *
 * <p>A memtable remembers the first WAL segment that may hold its rows: once it is flushed, the
 * segments before the next memtable's first segment can be deleted.
 *
 * <p>Thread-safe: any number of concurrent writers and readers. Iterators are weakly consistent
 * while writes continue and exact once the memtable is frozen.
 */
public final class Memtable {
  private static final int ENTRY_OVERHEAD = 96;

  private final ConcurrentSkipListMap<RowKey, Entry> rows = new ConcurrentSkipListMap<>();
  private final MemtableArena arena = new MemtableArena();
  private final AtomicLong keyBytes = new AtomicLong();
  private final AtomicLong maxTimestamp = new AtomicLong();
  private final long firstWalSegment;

  /** One stored version; its value lives in the arena. */
  private record Entry(long timestamp, boolean tombstone, long expiresAtMicros, Slice value) {
    boolean losesTo(Row row) {
      return LastWriteWins.compare(
              row.timestamp(),
              row.tombstone(),
              row.expiresAtMicros(),
              row.value(),
              0,
              row.value().length,
              timestamp,
              tombstone,
              expiresAtMicros,
              value.array(),
              value.offset(),
              value.length())
          > 0;
    }

    Row toRow(RowKey key) {
      return new Row(key, timestamp, tombstone, expiresAtMicros, value.toArray());
    }
  }

  /**
   * @param firstWalSegment the WAL segment that receives this memtable's first write
   */
  public Memtable(long firstWalSegment) {
    this.firstWalSegment = firstWalSegment;
  }

  /** Inserts a row unless the memtable already holds a newer version of its key. */
  public void put(Row row) {
    rows.compute(
        row.key(),
        (k, old) -> {
          if (old == null) {
            keyBytes.addAndGet(ENTRY_OVERHEAD + k.encodedSize());
          } else if (!old.losesTo(row)) {
            return old;
          }
          return new Entry(
              row.timestamp(), row.tombstone(), row.expiresAtMicros(), arena.copy(row.value()));
        });
    maxTimestamp.accumulateAndGet(row.timestamp(), Math::max);
  }

  /** The memtable's version of a key, tombstones included. */
  public Optional<Row> get(RowKey key) {
    Entry e = rows.get(key);
    return e == null ? Optional.empty() : Optional.of(e.toRow(key));
  }

  /** Rows with {@code from <= key < to}; null bounds are open. */
  public RowIterator iterator(RowKey fromInclusive, RowKey toExclusive) {
    NavigableMap<RowKey, Entry> view = rows;
    if (fromInclusive != null && toExclusive != null) {
      view =
          fromInclusive.compareTo(toExclusive) >= 0
              ? new ConcurrentSkipListMap<>()
              : rows.subMap(fromInclusive, true, toExclusive, false);
    } else if (fromInclusive != null) {
      view = rows.tailMap(fromInclusive, true);
    } else if (toExclusive != null) {
      view = rows.headMap(toExclusive, false);
    }
    return new MapIterator(view.entrySet().iterator());
  }

  /** Approximate bytes held: values (overwritten ones included) plus a cost per key. */
  public long bytes() {
    return arena.bytes() + keyBytes.get();
  }

  public int size() {
    return rows.size();
  }

  public boolean isEmpty() {
    return rows.isEmpty();
  }

  /** Greatest row timestamp inserted, 0 when empty. */
  public long maxTimestamp() {
    return maxTimestamp.get();
  }

  public long firstWalSegment() {
    return firstWalSegment;
  }

  private static final class MapIterator implements RowIterator {
    private final Iterator<java.util.Map.Entry<RowKey, Entry>> it;
    private Row next;

    MapIterator(Iterator<java.util.Map.Entry<RowKey, Entry>> it) {
      this.it = it;
    }

    @Override
    public boolean hasNext() {
      if (next == null && it.hasNext()) {
        var e = it.next();
        next = e.getValue().toRow(e.getKey());
      }
      return next != null;
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Row r = next;
      next = null;
      return r;
    }

    @Override
    public RowKey peekKey() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return next.key();
    }

    @Override
    public void close() {}
  }
}
