package io.allidb.dataplane.storage.wal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The hand-off between appenders and the {@code wal-sync} thread: the in-memory buffer of records
 * not yet written (the current group), the group being written, LSN bookkeeping, the memory cap on
 * buffered bytes, and the requests (rotate, close) the sync thread serves.
 *
 * <p>Thread-safe: appenders and waiters call in from any thread, the sync thread calls {@link
 * #take} and {@link #finish}; all shared state is guarded by one lock, held only for copies and
 * bookkeeping, never for I/O.
 */
final class GroupCommitter {
  /** In NONE mode, how often buffered records are handed to the OS. */
  private static final long NONE_WRITE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  /** In PERIODIC and NONE mode, a buffer this large is written before its interval ends. */
  private static final int EARLY_WRITE_BYTES = 1 << 20;

  /** A buffer grown beyond this is dropped after its group is written, to give memory back. */
  private static final int MAX_RETAINED_BUFFER_BYTES = 4 << 20;

  /** Failed LSN ranges remembered for late {@code awaitDurable} callers; oldest dropped first. */
  private static final int MAX_FAILED_RANGES = 1024;

  private static final int INITIAL_BUFFER_BYTES = 64 << 10;

  /**
   * The records between two swaps: written as one sync section and fsynced together. The first
   * {@link WalFormat#SECTION_HEADER_BYTES} of {@code bytes} are reserved for the section header.
   */
  static final class Group {
    final CompletableFuture<Void> done = new CompletableFuture<>();
    byte[] bytes;

    /** Record bytes, not counting the reserved header room. */
    int size;

    int records;
    int rows;
    long endLsn;

    Group(byte[] bytes) {
      this.bytes = bytes;
    }

    void add(byte[] record, int rowCount) {
      int used = WalFormat.SECTION_HEADER_BYTES + size;
      if (used + record.length > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, used + record.length));
      }
      System.arraycopy(record, 0, bytes, used, record.length);
      size += record.length;
      records++;
      rows += rowCount;
    }
  }

  /** What the sync thread is to do next. */
  record Work(Group group, CompletableFuture<Long> rotation, boolean closing) {}

  private final DurabilityMode mode;
  private final long groupCommitWindowNanos;
  private final long writeIntervalNanos;
  private final long maxBufferedBytes;
  private final long bufferFullTimeoutNanos;
  private final int earlyWriteBytes;

  private final ReentrantLock lock = new ReentrantLock();

  /** Signalled when the sync thread has work: data in SYNC mode, a full buffer, rotate, close. */
  private final Condition work = lock.newCondition();

  /** Signalled when the appends the sync thread is waiting for have finished. */
  private final Condition appendsDone = lock.newCondition();

  /** Signalled when buffered bytes were written out, or the WAL closed or failed. */
  private final Condition spaceFreed = lock.newCondition();

  // Guarded by lock.
  private Group current = new Group(new byte[INITIAL_BUFFER_BYTES]);
  private Group inFlight;
  private byte[] spare = new byte[INITIAL_BUFFER_BYTES];
  private long appendedLsn;
  private long completedLsn;
  private final TreeMap<Long, Long> failedRanges = new TreeMap<>();
  private long appendsFinished;
  private long awaitedAppends = Long.MAX_VALUE;
  // Records the next group may expect: those already in it when the last group was released plus
  // the released group's writers, who are likely to append again right away.
  private int expectedRecords;
  private boolean syncerIdle;
  private boolean closed;
  private CompletableFuture<Long> rotateRequest;
  private volatile IOException failure;
  private volatile boolean closedFlag;

  private final AtomicLong appendsStarted = new AtomicLong();

  /** Last time the sync thread wrote; owned by the sync thread. */
  private long lastWriteNanos = System.nanoTime();

  GroupCommitter(WalOptions options) {
    this.mode = options.mode();
    this.groupCommitWindowNanos = options.groupCommitWindow().toNanos();
    this.writeIntervalNanos =
        mode == DurabilityMode.PERIODIC
            ? options.periodicInterval().toNanos()
            : NONE_WRITE_INTERVAL_NANOS;
    this.maxBufferedBytes = options.maxBufferedBytes();
    this.bufferFullTimeoutNanos = options.bufferFullTimeout().toNanos();
    // Start writing well before the cap, so appenders rarely have to wait for it.
    this.earlyWriteBytes = (int) Math.min(EARLY_WRITE_BYTES, maxBufferedBytes / 2);
  }

  /** Throws when the WAL failed or closed; a cheap check before encoding. */
  void checkOpen() throws IOException {
    if (failure != null) {
      throw failedException();
    }
    if (closedFlag) {
      throw new IllegalStateException("WAL closed");
    }
  }

  /** Counts an append whose record is being encoded, for the group commit wait. */
  void beginAppend() {
    appendsStarted.incrementAndGet();
  }

  /** Ends an append begun with {@link #beginAppend} that will not add a record. */
  void abandonAppend() {
    lock.lock();
    try {
      finishAppend();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Adds a record to the current group, first waiting while the buffered bytes are at the cap.
   *
   * @return the record's LSN
   */
  long add(byte[] record, int rows) throws IOException {
    lock.lock();
    try {
      finishAppend();
      long deadline = System.nanoTime() + bufferFullTimeoutNanos;
      // An empty buffer always takes the record, so one larger than the cap still gets through.
      while (!closed
          && failure == null
          && buffered() > 0
          && buffered() + record.length > maxBufferedBytes) {
        wakeSyncer();
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          throw new IOException(
              "WAL buffer full: "
                  + buffered()
                  + " bytes written to the WAL are waiting for the disk, at the cap of "
                  + maxBufferedBytes
                  + " bytes (maxBufferedBytes), for "
                  + TimeUnit.NANOSECONDS.toMillis(bufferFullTimeoutNanos)
                  + " ms; the disk is too slow or stuck");
        }
        try {
          spaceFreed.awaitNanos(remaining);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while waiting for WAL buffer space");
        }
      }
      if (failure != null) {
        throw failedException();
      }
      if (closed) {
        throw new IllegalStateException("WAL closed");
      }
      current.add(record, rows);
      appendedLsn += record.length;
      current.endLsn = appendedLsn;
      if (mode == DurabilityMode.SYNC || current.size >= earlyWriteBytes) {
        wakeSyncer();
      }
      return appendedLsn;
    } finally {
      lock.unlock();
    }
  }

  /** Bytes appended but not yet written out (the current and the in-flight group). Under lock. */
  private long buffered() {
    return appendedLsn - completedLsn;
  }

  /** Bytes appended but not yet written out. */
  long bufferedBytes() {
    lock.lock();
    try {
      return buffered();
    } finally {
      lock.unlock();
    }
  }

  private void wakeSyncer() {
    if (syncerIdle) {
      syncerIdle = false;
      work.signal();
    }
  }

  private void finishAppend() {
    appendsFinished++;
    if (appendsFinished >= awaitedAppends) {
      appendsDone.signal();
    }
  }

  /**
   * The future completed when the group holding {@code lsn} is durable, or null when it already is.
   */
  CompletableFuture<Void> durableFuture(long lsn) throws IOException {
    lock.lock();
    try {
      if (lsn <= completedLsn) {
        Map.Entry<Long, Long> range = failedRanges.floorEntry(lsn);
        if (range != null && lsn <= range.getValue()) {
          throw new IOException("WAL write of the group holding LSN " + lsn + " failed");
        }
        return null;
      }
      if (failure != null) {
        throw failedException();
      }
      if (lsn > appendedLsn) {
        throw new IllegalArgumentException("LSN " + lsn + " was never appended");
      }
      return inFlight != null && lsn <= inFlight.endLsn ? inFlight.done : current.done;
    } finally {
      lock.unlock();
    }
  }

  /** Asks the sync thread to rotate after writing what is buffered. */
  CompletableFuture<Long> requestRotate() throws IOException {
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
      syncerIdle = false;
      work.signal();
      return rotateRequest;
    } finally {
      lock.unlock();
    }
  }

  /** Asks the sync thread to write what is buffered and stop. Idempotent. */
  void requestClose() {
    lock.lock();
    try {
      if (!closed) {
        closed = true;
        closedFlag = true;
        syncerIdle = false;
        work.signal();
        spaceFreed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Sync thread: waits until there is something to do, then swaps the current group for an empty
   * one and returns it (possibly empty, for a rotate or close) as the in-flight group.
   *
   * @param avgFsyncNanos caps the group commit wait
   */
  Work take(long avgFsyncNanos) throws InterruptedException {
    lock.lock();
    try {
      awaitWork();
      if (mode == DurabilityMode.SYNC && !closed) {
        long deadline = System.nanoTime() + Math.min(groupCommitWindowNanos, avgFsyncNanos);
        awaitAppendsInProgress(avgFsyncNanos);
        awaitReturningWriters(deadline);
      }
      CompletableFuture<Long> rotation = rotateRequest;
      rotateRequest = null;
      Group group = current;
      current = new Group(spare);
      spare = null;
      inFlight = group;
      return new Work(group, rotation, closed);
    } finally {
      lock.unlock();
    }
  }

  /** Sync thread: the in-flight group was written (or failed); frees its buffer space. */
  void finish(Group group, IOException error) {
    lastWriteNanos = System.nanoTime();
    lock.lock();
    try {
      completedLsn = Math.max(completedLsn, group.endLsn);
      inFlight = null;
      expectedRecords = current.records + group.records;
      if (error != null && group.size > 0) {
        recordFailedRange(group.endLsn - group.size + 1, group.endLsn);
      }
      spare =
          group.bytes.length <= MAX_RETAINED_BUFFER_BYTES
              ? group.bytes
              : new byte[INITIAL_BUFFER_BYTES];
      spaceFreed.signalAll();
    } finally {
      lock.unlock();
    }
    if (error != null) {
      group.done.completeExceptionally(error);
    } else {
      group.done.complete(null);
    }
  }

  /** Waits, holding the lock, until there is something to do. */
  private void awaitWork() throws InterruptedException {
    while (!closed && rotateRequest == null) {
      long now = System.nanoTime();
      if (mode == DurabilityMode.SYNC) {
        if (current.size > 0) {
          break;
        }
        syncerIdle = true;
        work.await();
      } else {
        long remaining = lastWriteNanos + writeIntervalNanos - now;
        if (current.size >= earlyWriteBytes || (remaining <= 0 && current.size > 0)) {
          break;
        }
        if (remaining <= 0) {
          lastWriteNanos = now; // nothing to write this period; start the next one
          remaining = writeIntervalNanos;
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
  private void awaitAppendsInProgress(long avgFsyncNanos) throws InterruptedException {
    long target = appendsStarted.get();
    // Waiting longer than an fsync takes does not pay: a straggler would be better off riding the
    // next group, which starts as soon as this one's fsync ends.
    long remaining = Math.min(groupCommitWindowNanos, avgFsyncNanos);
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
   * Waits, until {@code deadline}, for the writers the previous group released to append again.
   *
   * <p>Without it a steady load splits into two alternating half-size groups: while one group is
   * fsynced the other half of the writers fill the next, which is then taken the moment the fsync
   * returns, before the writers just released have appended. Waiting for them merges the halves, so
   * one fsync carries every writer's record (about twice the rows per fsync under load). A lone
   * writer is never kept waiting: it is the writer released.
   */
  private void awaitReturningWriters(long deadline) throws InterruptedException {
    int missing = expectedRecords - current.records;
    expectedRecords = 0;
    if (missing <= 0) {
      return;
    }
    long target = appendsFinished + missing;
    awaitedAppends = target;
    try {
      long remaining = deadline - System.nanoTime();
      while (appendsFinished < target && remaining > 0 && !closed) {
        remaining = appendsDone.awaitNanos(remaining);
      }
    } finally {
      awaitedAppends = Long.MAX_VALUE;
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

  /** Fails the WAL for good: every later append and await throws {@code e}. */
  void fail(IOException e) {
    lock.lock();
    try {
      if (failure == null) {
        failure = e;
      }
      spaceFreed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  IOException failure() {
    return failure;
  }

  IOException failedException() {
    return new IOException("WAL failed: " + failure.getMessage(), failure);
  }

  /**
   * Sync thread, last: marks the WAL closed and fails whatever still waits, with the failure if
   * there was one.
   */
  void shutDown() {
    List<CompletableFuture<?>> pending = new ArrayList<>();
    IOException cause;
    lock.lock();
    try {
      closed = true;
      closedFlag = true;
      cause = failure != null ? failure : new IOException("WAL closed");
      pending.add(current.done);
      if (inFlight != null) {
        pending.add(inFlight.done);
      }
      if (rotateRequest != null) {
        pending.add(rotateRequest);
        rotateRequest = null;
      }
      spaceFreed.signalAll();
    } finally {
      lock.unlock();
    }
    for (var f : pending) {
      f.completeExceptionally(cause);
    }
  }
}
