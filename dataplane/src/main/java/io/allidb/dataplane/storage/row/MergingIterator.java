package io.allidb.dataplane.storage.row;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;

/**
 * Merges sorted sources into one sorted stream with one row per key: the {@link LastWriteWins}
 * winner among every source's version of that key. Tombstones and expired rows are returned like
 * any other row; callers decide whether to hide them (reads) or keep them (compaction).
 *
 * <p>Not thread-safe. Closing it closes every source.
 */
public final class MergingIterator implements RowIterator {
  private final List<RowIterator> sources;
  private final PriorityQueue<RowIterator> heap;
  private Row next;

  public MergingIterator(List<? extends RowIterator> sources) throws IOException {
    this.sources = new ArrayList<>(sources);
    this.heap =
        new PriorityQueue<>(
            Math.max(1, sources.size()),
            (a, b) -> {
              try {
                return a.peekKey().compareTo(b.peekKey());
              } catch (IOException e) {
                throw new UncheckedIOExceptionWrapper(e);
              }
            });
    try {
      for (RowIterator s : this.sources) {
        if (s.hasNext()) {
          heap.add(s);
        }
      }
    } catch (UncheckedIOExceptionWrapper e) {
      throw e.getCause();
    }
  }

  @Override
  public boolean hasNext() throws IOException {
    if (next != null) {
      return true;
    }
    if (heap.isEmpty()) {
      return false;
    }
    try {
      RowIterator first = heap.poll();
      Row winner = first.next();
      requeue(first);
      while (!heap.isEmpty() && heap.peek().peekKey().equals(winner.key())) {
        RowIterator s = heap.poll();
        winner = LastWriteWins.resolve(winner, s.next());
        requeue(s);
      }
      next = winner;
      return true;
    } catch (UncheckedIOExceptionWrapper e) {
      throw e.getCause();
    }
  }

  private void requeue(RowIterator s) throws IOException {
    if (s.hasNext()) {
      heap.add(s);
    }
  }

  @Override
  public Row next() throws IOException {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Row r = next;
    next = null;
    return r;
  }

  @Override
  public RowKey peekKey() throws IOException {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return next.key();
  }

  @Override
  public void close() throws IOException {
    IOException first = null;
    for (RowIterator s : sources) {
      try {
        s.close();
      } catch (IOException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /** Carries an IOException through the heap comparator. */
  private static final class UncheckedIOExceptionWrapper extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UncheckedIOExceptionWrapper(IOException cause) {
      super(cause);
    }

    @Override
    public synchronized IOException getCause() {
      return (IOException) super.getCause();
    }
  }
}
