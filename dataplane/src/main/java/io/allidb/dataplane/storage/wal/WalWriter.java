package io.allidb.dataplane.storage.wal;

import io.allidb.dataplane.storage.io.FileIo;
import io.allidb.dataplane.storage.row.Row;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends row batches to the write-ahead log with group commit.
 *
 * <p>Writers encode their record outside any lock, then copy it into a shared in-memory buffer
 * under a short lock and get back a log sequence number (LSN: bytes appended since open, so
 * strictly increasing). One daemon thread, {@code wal-sync}, owns the file: it swaps the buffer for
 * an empty one (appenders keep going while it writes), writes the whole group with one positional
 * write loop, fsyncs it, and completes the group's future, which wakes every writer waiting in
 * {@link #awaitDurable} for an LSN in that group. One fsync thus covers every record that arrived
 * while the previous one was running. In {@code SYNC} mode the sync thread also waits up to {@link
 * WalOptions#groupCommitWindow()} (capped at the recent average fsync time) for appends that are in
 * progress when it wakes, but not at all when none is.
 *
 * <p>Failure: when the write or fsync of a group fails (disk full, I/O error), every waiter of the
 * group gets the {@link IOException}, and the segment is truncated back to the end of the last good
 * group so no torn record sits before later valid ones. If that truncation fails too, the WAL is
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

  /** In NONE mode, how often buffered records are handed to the OS. */
  private static final long NONE_WRITE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  /** In PERIODIC and NONE mode, a buffer this large is written before its interval ends. */
  private static final int EARLY_WRITE_BYTES = 1 << 20;

  /** A buffer grown beyond this is dropped after its group is written, to give memory back. */
  private static final int MAX_RETAINED_BUFFER_BYTES = 4 << 20;

  /** Failed LSN ranges remembered for late {@link #awaitDurable} callers; oldest dropped first. */
  private static final int MAX_FAILED_RANGES = 1024;

  private final Path dir;
  private final WalOptions options;
  private final FileIo io;
  private final Thread syncThread;

  private final ReentrantLock lock = new ReentrantLock();

  /** Signalled when the sync thread has work: data in SYNC mode, a full buffer, rotate, close. */
  private final Condition work = lock.newCondition();

  /** Signalled when the appends the sync thread is waiting for have finished. */
  private final Condition appendsDone = lock.newCondition();

  // Guarded by lock.
  private Group current = new Group(new byte[64 << 10]);
  private Group inFlight;
  private byte[] spare = new byte[64 << 10];
  private long appendedLsn;
  private long completedLsn;
  private final TreeMap<Long, Long> failedRanges = new TreeMap<>();
  private long appendsFinished;
  private long awaitedAppends = Long.MAX_VALUE;
  private boolean syncerIdle;
  private boolean closed;
  private CompletableFuture<Long> rotateRequest;
  private volatile IOException failure;

  private final AtomicLong appendsStarted = new AtomicLong();
  private volatile long segmentSeq;
  private volatile boolean closedFlag;
  private volatile IOException closeFailure;

  // Owned by the sync thread after open.
  private FileChannel channel;
  private long filePos;
  private boolean unforced;
  private long lastWriteNanos = System.nanoTime();

  /** Moving average of the fsync duration; caps the group commit wait. */
  private long avgFsyncNanos = TimeUnit.MILLISECONDS.toNanos(1);

  private final LongAdder statRecords = new LongAdder();
  private final LongAdder statRows = new LongAdder();
  private final LongAdder statBytes = new LongAdder();
  private final LongAdder statFsyncs = new LongAdder();
  private final LongAdder statRowsSynced = new LongAdder();

  /** The records between two swaps: written and fsynced together. */
  private static final class Group {
    final CompletableFuture<Void> done = new CompletableFuture<>();
    byte[] bytes;
    int size;
    int records;
    int rows;
    long endLsn;

    Group(byte[] bytes) {
      this.bytes = bytes;
    }

    void add(byte[] record, int rowCount) {
      if (size + record.length > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + record.length));
      }
      System.arraycopy(record, 0, bytes, size, record.length);
      size += record.length;
      records++;
      rows += rowCount;
    }
  }

  private WalWriter(Path dir, WalOptions options, long seq, FileChannel channel) {
    this.dir = dir;
    this.options = options;
    this.io = options.io();
    this.segmentSeq = seq;
    this.channel = channel;
    this.filePos = WalFormat.HEADER_BYTES;
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
    FileChannel ch = createSegment(dir, seq, options);
    var writer = new WalWriter(dir, options, seq, ch);
    writer.syncThread.start();
    logger.info("WAL opened in {} at segment {} ({} mode)", dir, seq, options.mode());
    return writer;
  }

  private static FileChannel createSegment(Path dir, long seq, WalOptions options)
      throws IOException {
    var io = options.io();
    Path file = dir.resolve(WalFormat.fileName(seq));
    FileChannel ch = io.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    try {
      ByteBuffer header = WalFormat.header(seq);
      long pos = 0;
      while (header.hasRemaining()) {
        pos += ch.write(header, pos);
      }
      if (options.mode() != DurabilityMode.NONE) {
        // The header and the directory entry must be durable before any record in this file is
        // acknowledged, or a crash could lose the file that holds fsynced records.
        ch.force(true);
        io.syncDirectory(dir);
      }
      return ch;
    } catch (IOException e) {
      try {
        ch.close();
        io.deleteIfExists(file);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /**
   * Adds one batch as one atomic record to the in-memory buffer.
   *
   * @return the record's LSN, to pass to {@link #awaitDurable}
   * @throws IllegalArgumentException when the batch is empty or larger than the record limit
   * @throws IllegalStateException when the writer is closed
   * @throws IOException when the WAL has failed
   */
  public long append(List<Row> rows) throws IOException {
    if (failure != null) {
      throw failedException();
    }
    if (closedFlag) {
      throw new IllegalStateException("WAL closed");
    }
    appendsStarted.incrementAndGet();
    byte[] record;
    try {
      record = WalFormat.encodeBatch(rows);
    } catch (RuntimeException e) {
      lock.lock();
      try {
        finishAppend();
      } finally {
        lock.unlock();
      }
      throw e;
    }
    long lsn;
    lock.lock();
    try {
      finishAppend();
      if (failure != null) {
        throw failedException();
      }
      if (closed) {
        throw new IllegalStateException("WAL closed");
      }
      current.add(record, rows.size());
      appendedLsn += record.length;
      current.endLsn = appendedLsn;
      lsn = appendedLsn;
      boolean wake = options.mode() == DurabilityMode.SYNC || current.size >= EARLY_WRITE_BYTES;
      if (wake && syncerIdle) {
        syncerIdle = false;
        work.signal();
      }
    } finally {
      lock.unlock();
    }
    statRecords.increment();
    statRows.add(rows.size());
    statBytes.add(record.length);
    return lsn;
  }

  private void finishAppend() {
    appendsFinished++;
    if (appendsFinished >= awaitedAppends) {
      appendsDone.signal();
    }
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
    Group group;
    lock.lock();
    try {
      if (lsn <= completedLsn) {
        checkNotInFailedRange(lsn);
        return;
      }
      if (failure != null) {
        throw failedException();
      }
      if (lsn > appendedLsn) {
        throw new IllegalArgumentException("LSN " + lsn + " was never appended");
      }
      group = inFlight != null && lsn <= inFlight.endLsn ? inFlight : current;
    } finally {
      lock.unlock();
    }
    await(group.done);
  }

  private void checkNotInFailedRange(long lsn) throws IOException {
    Map.Entry<Long, Long> range = failedRanges.floorEntry(lsn);
    if (range != null && lsn <= range.getValue()) {
      throw new IOException("WAL write of the group holding LSN " + lsn + " failed");
    }
  }

  /**
   * Writes and fsyncs everything appended so far (in every mode), closes the current segment and
   * starts the next one. Records appended after this returns go to the new segment.
   *
   * @return the new segment's seq
   */
  public long rotate() throws IOException {
    CompletableFuture<Long> request;
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("WAL closed");
      }
      if (failure != null) {
        throw failedException();
      }
      if (rotateRequest == null) {
        rotateRequest = new CompletableFuture<>();
      }
      request = rotateRequest;
      syncerIdle = false;
      work.signal();
    } finally {
      lock.unlock();
    }
    return await(request);
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
    lock.lock();
    try {
      if (!closed) {
        closed = true;
        closedFlag = true;
        syncerIdle = false;
        work.signal();
      }
    } finally {
      lock.unlock();
    }
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

  private IOException failedException() {
    return new IOException("WAL failed: " + failure.getMessage(), failure);
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
        Group group;
        CompletableFuture<Long> rotation;
        boolean closing;
        lock.lock();
        try {
          awaitWork();
          if (options.mode() == DurabilityMode.SYNC && !closed) {
            awaitAppendsInProgress();
          }
          closing = closed;
          rotation = rotateRequest;
          rotateRequest = null;
          group = current;
          current = new Group(spare);
          spare = null;
          inFlight = group;
        } finally {
          lock.unlock();
        }
        boolean force = options.mode() != DurabilityMode.NONE || rotation != null;
        IOException error = writeGroup(group, force);
        lock.lock();
        try {
          completedLsn = Math.max(completedLsn, group.endLsn);
          inFlight = null;
          if (error != null && group.size > 0) {
            recordFailedRange(group.endLsn - group.size + 1, group.endLsn);
          }
          spare =
              group.bytes.length <= MAX_RETAINED_BUFFER_BYTES ? group.bytes : new byte[64 << 10];
        } finally {
          lock.unlock();
        }
        if (error != null) {
          group.done.completeExceptionally(error);
        } else {
          group.done.complete(null);
        }
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
        if (closing) {
          if (error != null) {
            closeFailure = error;
          }
          break;
        }
        if (failure != null) {
          break;
        }
      }
    } catch (Throwable t) {
      IOException e = t instanceof IOException io ? io : new IOException(t);
      logger.error("WAL sync thread died", t);
      fail(e);
    } finally {
      shutDown();
    }
  }

  /** Waits, holding the lock, until there is something to do. */
  private void awaitWork() throws InterruptedException {
    while (!closed && rotateRequest == null) {
      long now = System.nanoTime();
      if (options.mode() == DurabilityMode.SYNC) {
        if (current.size > 0) {
          break;
        }
        syncerIdle = true;
        work.await();
      } else {
        long interval =
            options.mode() == DurabilityMode.PERIODIC
                ? options.periodicInterval().toNanos()
                : NONE_WRITE_INTERVAL_NANOS;
        long remaining = lastWriteNanos + interval - now;
        if (current.size >= EARLY_WRITE_BYTES || (remaining <= 0 && current.size > 0)) {
          break;
        }
        if (remaining <= 0) {
          lastWriteNanos = now; // nothing to write this period; start the next one
          remaining = interval;
        }
        syncerIdle = true;
        work.awaitNanos(remaining);
      }
    }
    syncerIdle = false;
  }

  /**
   * Waits, holding the lock, up to the group commit window for the appends that have started but
   * not yet reached the buffer, so they ride this fsync instead of waiting a whole round for the
   * next. Appends started later do not extend the wait.
   */
  private void awaitAppendsInProgress() throws InterruptedException {
    long target = appendsStarted.get();
    // Waiting longer than an fsync takes does not pay: a straggler would be better off riding the
    // next group, which starts as soon as this one's fsync ends.
    long remaining = Math.min(options.groupCommitWindow().toNanos(), avgFsyncNanos);
    if (appendsFinished >= target || remaining <= 0) {
      return;
    }
    awaitedAppends = target;
    try {
      while (appendsFinished < target && remaining > 0 && !closed) {
        remaining = appendsDone.awaitNanos(remaining);
      }
    } finally {
      awaitedAppends = Long.MAX_VALUE;
    }
  }

  /**
   * Writes a group at the end of the segment and fsyncs it when asked. On failure truncates the
   * segment back to where the group started, so later groups follow valid records directly.
   *
   * @return null on success, otherwise the failure handed to the group's waiters
   */
  private IOException writeGroup(Group group, boolean force) {
    if (group.size > 0 && shouldRotateBefore(group)) {
      try {
        rotateSegment();
      } catch (IOException e) {
        // Only postponed: an oversized segment is harmless, failing the group would not be.
        logger.warn("could not start WAL segment {}; staying in {}", segmentSeq + 1, segmentSeq, e);
      }
    }
    long groupStart = filePos;
    try {
      if (group.size > 0) {
        var buf = ByteBuffer.wrap(group.bytes, 0, group.size);
        long pos = groupStart;
        while (buf.hasRemaining()) {
          pos += channel.write(buf, pos);
        }
        unforced = true;
        filePos = pos;
      }
      lastWriteNanos = System.nanoTime();
      if (force && unforced) {
        long start = System.nanoTime();
        channel.force(false);
        long nanos = System.nanoTime() - start;
        avgFsyncNanos += (nanos - avgFsyncNanos) / 8;
        unforced = false;
        statFsyncs.increment();
        statRowsSynced.add(group.rows);
        notifySynced(group, nanos);
      }
      return null;
    } catch (IOException e) {
      // Earlier groups were fsynced when they were written (SYNC, PERIODIC), so groupStart is the
      // last durable position; everything after it belongs to this failed group.
      return handleWriteFailure(group, e, groupStart);
    }
  }

  private IOException handleWriteFailure(Group group, IOException e, long truncateTo) {
    logger.error(
        "WAL write of {} records ({} bytes) to segment {} failed; truncating back to offset {}",
        group.records,
        group.size,
        segmentSeq,
        truncateTo,
        e);
    try {
      channel.truncate(truncateTo);
      channel.force(true);
      filePos = truncateTo;
      unforced = false;
    } catch (IOException te) {
      e.addSuppressed(te);
      logger.error("WAL truncation after a failed write failed; the WAL is now failed", te);
      fail(e);
    }
    try {
      options.listener().failed(e);
    } catch (RuntimeException le) {
      logger.warn("WAL listener failed", le);
    }
    return e;
  }

  private void fail(IOException e) {
    lock.lock();
    try {
      if (failure == null) {
        failure = e;
      }
    } finally {
      lock.unlock();
    }
  }

  private void recordFailedRange(long from, long to) {
    Map.Entry<Long, Long> last = failedRanges.lastEntry();
    if (last != null && last.getValue() == from - 1) {
      failedRanges.put(last.getKey(), to); // consecutive failed groups merge
    } else {
      failedRanges.put(from, to);
      if (failedRanges.size() > MAX_FAILED_RANGES) {
        failedRanges.pollFirstEntry();
      }
    }
  }

  private boolean shouldRotateBefore(Group group) {
    return filePos > WalFormat.HEADER_BYTES && filePos + group.size > options.segmentBytes();
  }

  /** Starts the next segment; the caller has written and (when needed) forced the current one. */
  private long rotateSegment() throws IOException {
    if (unforced) {
      channel.force(false);
      unforced = false;
    }
    long next = segmentSeq + 1;
    FileChannel ch = createSegment(dir, next, options);
    FileChannel old = channel;
    channel = ch;
    filePos = WalFormat.HEADER_BYTES;
    segmentSeq = next;
    try {
      old.close();
    } catch (IOException e) {
      logger.warn("closing WAL segment {} failed", next - 1, e);
    }
    logger.debug("WAL rotated to segment {}", next);
    return next;
  }

  private void notifySynced(Group group, long nanos) {
    try {
      options.listener().synced(group.records, group.rows, group.size, nanos);
    } catch (RuntimeException e) {
      logger.warn("WAL listener failed", e);
    }
  }

  /** Fails whatever still waits and closes the file. Runs last on the sync thread. */
  private void shutDown() {
    List<CompletableFuture<?>> pending;
    IOException cause;
    lock.lock();
    try {
      closed = true;
      closedFlag = true;
      cause = failure != null ? failure : new IOException("WAL closed");
      pending = new ArrayList<>();
      pending.add(current.done);
      if (inFlight != null) {
        pending.add(inFlight.done);
      }
      if (rotateRequest != null) {
        pending.add(rotateRequest);
        rotateRequest = null;
      }
    } finally {
      lock.unlock();
    }
    for (var f : pending) {
      f.completeExceptionally(cause);
    }
    try {
      channel.close();
    } catch (IOException e) {
      logger.warn("closing WAL segment {} failed", segmentSeq, e);
    }
    if (closeFailure == null) {
      closeFailure = failure;
    }
  }
}
