package io.allidb.dataplane.storage.row;

import java.io.IOException;

/**
 * A forward cursor over rows in strictly increasing {@link RowKey} order, at most one row per key.
 *
 * <p>Produced by the memtable, SSTables and the merge that combines them. Reading may do I/O, hence
 * the checked exceptions; an iterator over an SSTable throws {@code CorruptSSTableException}
 * instead of returning damaged rows. Iterators hold resources (an SSTable reference) until {@link
 * #close()}, so always close them, typically with try-with-resources.
 *
 * <p>Not thread-safe: one iterator serves one reader thread.
 */
public interface RowIterator extends AutoCloseable {

  /** Whether {@link #next()} will return a row. */
  boolean hasNext() throws IOException;

  /**
   * Returns the next row and advances.
   *
   * @throws java.util.NoSuchElementException when there is no next row
   */
  Row next() throws IOException;

  /**
   * The key of the row {@link #next()} would return, without advancing; merges use it to pick the
   * smallest key among several iterators.
   *
   * @throws java.util.NoSuchElementException when there is no next row
   */
  RowKey peekKey() throws IOException;

  /** Releases the iterator's resources. Idempotent. */
  @Override
  void close() throws IOException;
}
