package io.allidb.dataplane.storage.wal;

import java.io.IOException;

/**
 * Observer of the WAL sync thread, through which the engine feeds its metrics (fsync latency, rows
 * per fsync) and its health state.
 *
 * <p>Called on the {@code wal-sync} thread, so implementations must be thread-safe and quick: the
 * next group waits while a callback runs. Exceptions thrown by a callback are logged and ignored.
 */
public interface WalListener {
  /** A listener that does nothing. */
  WalListener NONE = new WalListener() {};

  /**
   * A group was written and fsynced.
   *
   * @param records records in the group
   * @param rows rows in the group
   * @param bytes bytes written
   * @param nanos duration of the fsync alone
   */
  default void synced(int records, int rows, long bytes, long nanos) {}

  /** The write or fsync of a group failed; its records are not in the log. */
  default void failed(IOException e) {}
}
