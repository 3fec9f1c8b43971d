package io.allidb.dataplane.storage.wal;

import io.allidb.dataplane.storage.io.FileIo;
import io.allidb.dataplane.storage.row.Row;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends row batches to the write-ahead log with group commit.
 *
 * <p>Writers encode their record outside any lock, then copy it into a shared in-memory buffer
 * under a short lock ({@link GroupCommitter}) and get back a log sequence number (LSN: bytes
 * appended since open, so strictly increasing). One daemon thread, {@code wal-sync}, owns the file
 * ({@link WalSegment}): it swaps the buffer for an empty one (appenders keep going while it
 * writes), writes the whole group as one sync section (see {@link WalFormat}) with one positional
 * write loop, fsyncs it, and completes the group's future, which wakes every writer waiting in
 * {@link #awaitDurable} for an LSN in that group. One fsync thus covers every record that arrived
 * while the previous one was running. In {@code SYNC} mode the sync thread also waits up to {@link
 * WalOptions#groupCommitWindow()} (capped at the recent average fsync time) for appends that are in
 * progress when it wakes, but not at all when none is.
 *
 * <p>Sections: because one thread writes and fsyncs the groups strictly one after the other, the
 * next section's bytes reach the file only after the previous section's fsync returned ({@code
 * SYNC} and {@code PERIODIC} mode). Replay relies on this to tell a torn tail from corruption.
 *
 * <p>Memory: at most {@link WalOptions#maxBufferedBytes()} of appended records wait to be written
 * (plus one record, so a record above the cap still fits an empty buffer). Appenders beyond it
 * block until the sync thread catches up, and fail with an {@link IOException} after {@link
 * WalOptions#bufferFullTimeout()}. This matters in {@code PERIODIC} and {@code NONE} mode, where
 * appenders do not wait for the disk otherwise.
 *
 * <p>Failure: when the write or fsync of a group fails (disk full, I/O error), every waiter of the
 * group gets the {@link IOException}, and the segment is truncated back to the end of the last good
 * section so no torn section sits before later valid ones. If that truncation fails too, the WAL is
 * failed for good: every later {@link #append} and {@link #awaitDurable} throws. In {@code
 * PERIODIC} and {@code NONE} mode the records of a failed group were already acknowledged; they are
 * lost and reported to {@link WalListener#failed}.
 *
 * <p>The writer never appends to a segment that existed before it was opened: replay may have
 * truncated that segment's tail, and a new segment keeps the old one's bytes exactly as replay left
 * them.
 *
 * <p>Thread-safe: any number of threads may append and await concurrently.
 */
public final class WalWriter implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(WalWriter.class);

  private final Path dir;
  private final WalOptions options;
  private final FileIo io;
  private final GroupCommitter groups;
  private final Thread syncThread;

  private volatile long segmentSeq;
  private volatile IOException closeFailure;

  // Owned by the sync thread after open.
  private WalSegment segment;

  /** Moving average of the fsync duration; caps the group commit wait. */
  private long avgFsyncNanos = TimeUnit.MILLISECONDS.toNanos(1);

  private final LongAdder statRecords = new LongAdder();
  private final LongAdder statRows = new LongAdder();
  private final LongAdder statBytes = new LongAdder();
  private final LongAdder statFsyncs = new LongAdder();
  private final LongAdder statRowsSynced = new LongAdder();

  private WalWriter(Path dir, WalOptions options, WalSegment segment) {
    this.dir = dir;
    this.options = options;
    this.io = options.io();
    this.groups = new GroupCommitter(options);
    this.segment = segment;
    this.segmentSeq = segment.seq();
    this.syncThread = new Thread(this::syncLoop, "wal-sync");
    syncThread.setDaemon(true);
  }

  /**
   * Opens a writer on a new segment in {@code dir} (created if missing), with seq one above the
   * highest existing segment, or {@link WalOptions#firstSegmentSeq()} if that is higher.
   */
  public static WalWriter open(Path dir, WalOptions options) throws IOException {
    var io = options.io();
    io.createDirectories(dir);
    long maxSeq = 0;
    for (Path p : io.list(dir)) {
      maxSeq = Math.max(maxSeq, WalFormat.parseSeq(p));
    }
    long seq = Math.max(maxSeq + 1, options.firstSegmentSeq());
    var writer = new WalWriter(dir, options, createSegment(dir, seq, options));
    writer.syncThread.start();
    logger.info("WAL opened in {} at segment {} ({} mode)", dir, seq, options.mode());
    return writer;
  }

  private static WalSegment createSegment(Path dir, long seq, WalOptions options)
      throws IOException {
    return WalSegment.create(dir, seq, options.io(), options.mode() != DurabilityMode.NONE);
  }

  /**
   * Adds one batch as one atomic record to the in-memory buffer. Blocks while the buffer holds
   * {@link WalOptions#maxBufferedBytes()}.
   *
   * @return the record's LSN, to pass to {@link #awaitDurable}
   * @throws IllegalArgumentException when the batch is empty or larger than the record limit
   * @throws IllegalStateException when the writer is closed
   * @throws IOException when the WAL has failed, or the buffer stayed full for {@link
   *     WalOptions#bufferFullTimeout()}
   */
  public long append(List<Row> rows) throws IOException {
    groups.checkOpen();
    groups.beginAppend();
    byte[] record;
    try {
      record = WalFormat.encodeBatch(rows);
    } catch (RuntimeException e) {
      groups.abandonAppend();
      throw e;
    }
    long lsn = groups.add(record, rows.size());
    statRecords.increment();
    statRows.add(rows.size());
    statBytes.add(record.length);
    return lsn;
  }

  /**
   * In {@code SYNC} mode, blocks until the record with this LSN is written and fsynced. In the
   * other modes returns at once.
   *
   * @throws IOException when the write or fsync of the record's group failed, or the WAL has failed
   */
  public void awaitDurable(long lsn) throws IOException {
    if (options.mode() != DurabilityMode.SYNC) {
      return;
    }
    CompletableFuture<Void> done = groups.durableFuture(lsn);
    if (done != null) {
      await(done);
    }
  }

  /**
   * Writes everything appended so far (and fsyncs it, except in {@code NONE} mode), closes the
   * current segment and starts the next one. Records appended after this returns go to the new
   * segment.
   *
   * @return the new segment's seq
   */
  public long rotate() throws IOException {
    return await(groups.requestRotate());
  }

  /** Seq of the segment new records go to. */
  public long currentSegmentSeq() {
    return segmentSeq;
  }

  /** Deletes the segments with seq below {@code seq}, never the current one, and syncs the dir. */
  public void deleteSegmentsBefore(long seq) throws IOException {
    long limit = Math.min(seq, segmentSeq);
    int deleted = 0;
    for (Path p : io.list(dir)) {
      long s = WalFormat.parseSeq(p);
      if (s >= 1 && s < limit) {
        io.deleteIfExists(p);
        deleted++;
      }
    }
    if (deleted > 0) {
      io.syncDirectory(dir);
      logger.debug("deleted {} WAL segments below {}", deleted, limit);
    }
  }

  /** Cumulative counters since open. */
  public WalStats stats() {
    return new WalStats(
        statRecords.sum(), statRows.sum(), statBytes.sum(), statFsyncs.sum(), statRowsSynced.sum());
  }

  /**
   * Writes what is buffered, fsyncs it (except in {@code NONE} mode) and stops the sync thread.
   * Idempotent. Later appends throw {@link IllegalStateException}.
   *
   * @throws IOException when the final write or fsync failed
   */
  @Override
  public void close() throws IOException {
    groups.requestClose();
    boolean interrupted = false;
    while (syncThread.isAlive()) {
      try {
        syncThread.join();
      } catch (InterruptedException e) {
        interrupted = true; // finish closing: the file must not be left to a dead thread
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (closeFailure != null) {
      throw new IOException("WAL close failed: " + closeFailure.getMessage(), closeFailure);
    }
  }

  private static <T> T await(CompletableFuture<T> future) throws IOException {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for the WAL");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw new IOException(io.getMessage(), io);
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new IOException(cause);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The sync thread.

  private void syncLoop() {
    try {
      while (true) {
        GroupCommitter.Work work = groups.take(avgFsyncNanos);
        GroupCommitter.Group group = work.group();
        CompletableFuture<Long> rotation = work.rotation();
        // NONE never fsyncs, not even on rotation: the engine rotates under its memtable-switch
        // lock, and a 64 MiB fsync there stalled every writer for up to a second.
        boolean force = options.mode() != DurabilityMode.NONE;
        IOException error = writeGroup(group, force);
        groups.finish(group, error);
        if (rotation != null) {
          if (error != null) {
            rotation.completeExceptionally(error);
          } else {
            try {
              rotation.complete(rotateSegment());
            } catch (IOException e) {
              rotation.completeExceptionally(e);
            }
          }
        }
        if (work.closing()) {
          if (error != null) {
            closeFailure = error;
          }
          break;
        }
        if (groups.failure() != null) {
          break;
        }
      }
    } catch (Throwable t) {
      IOException e = t instanceof IOException io ? io : new IOException(t);
      logger.error("WAL sync thread died", t);
      groups.fail(e);
    } finally {
      groups.shutDown();
      try {
        segment.close();
      } catch (IOException e) {
        logger.warn("closing WAL segment {} failed", segmentSeq, e);
      }
      if (closeFailure == null) {
        closeFailure = groups.failure();
      }
    }
  }

  /**
   * Writes a group as one section at the end of the segment and fsyncs it when asked. On failure
   * truncates the segment back to where the section started, so later sections follow valid ones
   * directly.
   *
   * @return null on success, otherwise the failure handed to the group's waiters
   */
  private IOException writeGroup(GroupCommitter.Group group, boolean force) {
    if (group.size > 0 && shouldRotateBefore(group)) {
      try {
        rotateSegment();
      } catch (IOException e) {
        // Only postponed: an oversized segment is harmless, failing the group would not be.
        logger.warn("could not start WAL segment {}; staying in {}", segmentSeq + 1, segmentSeq, e);
      }
    }
    // Earlier sections were fsynced when they were written (SYNC, PERIODIC), so this is the last
    // durable position; everything after it belongs to this failed group.
    long sectionStart = segment.size();
    long ordinalBefore = segment.ordinal();
    try {
      if (group.size > 0) {
        segment.writeSection(group.bytes, group.size);
      }
      if (force) {
        long start = System.nanoTime();
        if (segment.force()) {
          long nanos = System.nanoTime() - start;
          avgFsyncNanos += (nanos - avgFsyncNanos) / 8;
          statFsyncs.increment();
          statRowsSynced.add(group.rows);
          notifySynced(group, nanos);
        }
      }
      return null;
    } catch (IOException e) {
      return handleWriteFailure(group, e, sectionStart, ordinalBefore);
    }
  }

  private IOException handleWriteFailure(
      GroupCommitter.Group group, IOException e, long truncateTo, long ordinal) {
    logger.error(
        "WAL write of {} records ({} bytes) to segment {} failed; truncating back to offset {}",
        group.records,
        group.size,
        segmentSeq,
        truncateTo,
        e);
    try {
      segment.rollBack(truncateTo, ordinal);
    } catch (IOException te) {
      e.addSuppressed(te);
      logger.error("WAL truncation after a failed write failed; the WAL is now failed", te);
      groups.fail(e);
    }
    try {
      options.listener().failed(e);
    } catch (RuntimeException le) {
      logger.warn("WAL listener failed", le);
    }
    return e;
  }

  private boolean shouldRotateBefore(GroupCommitter.Group group) {
    return !segment.isEmpty()
        && segment.size() + WalFormat.SECTION_HEADER_BYTES + group.size > options.segmentBytes();
  }

  /** Starts the next segment; the caller has written the current one. */
  private long rotateSegment() throws IOException {
    // Also keeps the section invariant across files: the new segment's sections come after this.
    if (options.mode() != DurabilityMode.NONE) {
      segment.force();
    }
    long next = segmentSeq + 1;
    WalSegment created = createSegment(dir, next, options);
    WalSegment old = segment;
    segment = created;
    segmentSeq = next;
    try {
      old.close();
    } catch (IOException e) {
      logger.warn("closing WAL segment {} failed", next - 1, e);
    }
    logger.debug("WAL rotated to segment {}", next);
    return next;
  }

  private void notifySynced(GroupCommitter.Group group, long nanos) {
    try {
      options
          .listener()
          .synced(group.records, group.rows, WalFormat.SECTION_HEADER_BYTES + group.size, nanos);
    } catch (RuntimeException e) {
      logger.warn("WAL listener failed", e);
    }
  }
}
