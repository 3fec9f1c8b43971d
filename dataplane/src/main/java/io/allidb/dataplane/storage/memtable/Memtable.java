package io.allidb.dataplane.storage.memtable;

import io.allidb.dataplane.storage.row.LastWriteWins;
import io.allidb.dataplane.storage.row.Row;
import io.allidb.dataplane.storage.row.RowIterator;
import io.allidb.dataplane.storage.row.RowKey;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-memory write buffer: the winning row per key, sorted.
 *
 * <p>A concurrent skip list keyed by {@link RowKey}; {@link #put(Row)} keeps whichever of the old
 * and new row {@link LastWriteWins} picks, so arrival order never matters. Size accounting is
 * approximate (key + value + a fixed overhead per entry) and drives the flush decision.
 *
 * <p>A memtable remembers the first WAL segment that may hold its rows: once it is flushed, the
 * segments before the next memtable's first segment can be deleted.
 *
 * <p>Thread-safe: any number of concurrent writers and readers. Iterators are weakly consistent
 * while writes continue and exact once the memtable is frozen.
 */
public final class Memtable {
  private final ConcurrentSkipListMap<RowKey, Row> rows = new ConcurrentSkipListMap<>();
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong maxTimestamp = new AtomicLong();
  private final long firstWalSegment;

  /**
   * @param firstWalSegment the WAL segment that receives this memtable's first write
   */
  public Memtable(long firstWalSegment) {
    this.firstWalSegment = firstWalSegment;
  }

  /** Inserts a row unless the memtable already holds a newer version of its key. */
  public void put(Row row) {
    long[] delta = {0};
    rows.compute(
        row.key(),
        (k, old) -> {
          if (old == null) {
            delta[0] = row.heapSize();
            return row;
          }
          Row winner = LastWriteWins.resolve(old, row);
          delta[0] = winner.heapSize() - old.heapSize();
          return winner;
        });
    bytes.addAndGet(delta[0]);
    maxTimestamp.accumulateAndGet(row.timestamp(), Math::max);
  }

  /** The memtable's version of a key, tombstones included. */
  public Optional<Row> get(RowKey key) {
    return Optional.ofNullable(rows.get(key));
  }

  /** Rows with {@code from <= key < to}; null bounds are open. */
  public RowIterator iterator(RowKey fromInclusive, RowKey toExclusive) {
    NavigableMap<RowKey, Row> view = rows;
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

  /** Approximate bytes held. */
  public long bytes() {
    return bytes.get();
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
    private final Iterator<Map.Entry<RowKey, Row>> it;
    private Row next;

    MapIterator(Iterator<Map.Entry<RowKey, Row>> it) {
      this.it = it;
    }

    @Override
    public boolean hasNext() {
      if (next == null && it.hasNext()) {
        next = it.next().getValue();
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
