package io.allidb.bench;

import io.allidb.api.proto.Entity;
import java.io.IOException;
import java.util.List;

/**
 * One engine under test, opened on a fresh directory. Implementations must be safe for concurrent
 * {@link #put} and {@link #putBatch} calls from all writer threads, since group commit of
 * concurrent writers is what the write benchmark measures.
 */
interface WriteTarget extends AutoCloseable {

  /** Writes one row and returns once it is as durable as the configured mode promises. */
  void put(String tenant, Entity entity) throws IOException;

  /** Writes rows atomically in one call. */
  void putBatch(String tenant, List<Entity> entities) throws IOException;

  /** WAL fsyncs so far, or -1 when the engine does not report them. */
  long walFsyncs();

  /**
   * Rows made durable by those fsyncs, or -1 when the engine does not report them (the caller then
   * divides rows written by fsyncs).
   */
  long walRowsSynced();

  /** Closes the engine and deletes its directory. */
  @Override
  void close() throws IOException;
}
