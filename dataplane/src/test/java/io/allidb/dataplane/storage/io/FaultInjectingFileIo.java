package io.allidb.dataplane.storage.io;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link FileIo} for tests that simulates a full disk and failing fsyncs on top of a real one.
 *
 * <p>{@link #failWritesAfterBytes(long)} gives all channels opened through this instance a shared
 * byte budget: a write that crosses it writes the part that fits (a short write, as a real disk
 * does) and the next write throws {@code IOException("No space left on device")}. {@link
 * #failNextForce()} and {@link #failNextTruncate()} make the next such call on any channel throw.
 * {@link #blockForces()} makes every {@code force} wait until {@link #unblockForces()}, like a disk
 * that stopped completing flushes. {@link #heal()} removes every fault. Thread-safe.
 */
public final class FaultInjectingFileIo implements FileIo {
  private static final long UNLIMITED = Long.MAX_VALUE;

  private final FileIo delegate;
  private final AtomicLong budget = new AtomicLong(UNLIMITED);
  private final AtomicBoolean failForce = new AtomicBoolean();
  private final AtomicBoolean failTruncate = new AtomicBoolean();
  private final AtomicBoolean failDirectorySync = new AtomicBoolean();
  private final AtomicLong bytesWritten = new AtomicLong();
  private final AtomicLong forces = new AtomicLong();
  private final AtomicLong injectedFailures = new AtomicLong();
  private final Object forceGate = new Object();
  private boolean forcesBlocked; // guarded by forceGate
  private boolean writesBlocked; // guarded by forceGate

  public FaultInjectingFileIo() {
    this(FileIo.real());
  }

  public FaultInjectingFileIo(FileIo delegate) {
    this.delegate = delegate;
  }

  /** From now on, writes fail once {@code bytes} more bytes have been written. */
  public FaultInjectingFileIo failWritesAfterBytes(long bytes) {
    budget.set(bytes);
    return this;
  }

  /** The next {@code force} on any channel throws. */
  public FaultInjectingFileIo failNextForce() {
    failForce.set(true);
    return this;
  }

  /** The next {@link #syncDirectory} throws. */
  public FaultInjectingFileIo failNextDirectorySync() {
    failDirectorySync.set(true);
    return this;
  }

  /** The next {@code truncate} on any channel throws. */
  public FaultInjectingFileIo failNextTruncate() {
    failTruncate.set(true);
    return this;
  }

  /** From now on, {@code force} on any channel blocks until {@link #unblockForces()}. */
  public FaultInjectingFileIo blockForces() {
    synchronized (forceGate) {
      forcesBlocked = true;
    }
    return this;
  }

  /** Lets blocked and later {@code force} calls proceed. */
  public FaultInjectingFileIo unblockForces() {
    synchronized (forceGate) {
      forcesBlocked = false;
      forceGate.notifyAll();
    }
    return this;
  }

  /** From now on, writes on any channel block until {@link #unblockWrites()}: a stalled disk. */
  public FaultInjectingFileIo blockWrites() {
    synchronized (forceGate) {
      writesBlocked = true;
    }
    return this;
  }

  /** Lets blocked and later writes proceed. */
  public FaultInjectingFileIo unblockWrites() {
    synchronized (forceGate) {
      writesBlocked = false;
      forceGate.notifyAll();
    }
    return this;
  }

  private void awaitWriteGate() throws IOException {
    synchronized (forceGate) {
      while (writesBlocked) {
        try {
          forceGate.wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while writes were blocked");
        }
      }
    }
  }

  /** Removes every injected fault. */
  public FaultInjectingFileIo heal() {
    budget.set(UNLIMITED);
    failForce.set(false);
    failTruncate.set(false);
    failDirectorySync.set(false);
    unblockWrites();
    return unblockForces();
  }

  private void awaitForceGate() throws IOException {
    synchronized (forceGate) {
      while (forcesBlocked) {
        try {
          forceGate.wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while forces were blocked");
        }
      }
    }
  }

  /** Bytes successfully written through this instance. */
  public long bytesWritten() {
    return bytesWritten.get();
  }

  /** Successful forces through this instance. */
  public long forces() {
    return forces.get();
  }

  /** Faults thrown so far. */
  public long injectedFailures() {
    return injectedFailures.get();
  }

  @Override
  public FileChannel open(Path path, OpenOption... options) throws IOException {
    return new FaultyChannel(delegate.open(path, options));
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    if (failDirectorySync.getAndSet(false)) {
      injectedFailures.incrementAndGet();
      throw new IOException("Input/output error (injected directory fsync failure)");
    }
    delegate.syncDirectory(dir);
  }

  @Override
  public void atomicMove(Path source, Path target) throws IOException {
    delegate.atomicMove(source, target);
  }

  @Override
  public void deleteIfExists(Path path) throws IOException {
    delegate.deleteIfExists(path);
  }

  @Override
  public List<Path> list(Path dir) throws IOException {
    return delegate.list(dir);
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    delegate.createDirectories(dir);
  }

  /** Takes up to {@code wanted} bytes of the budget; throws when it is exhausted. */
  private int reserve(int wanted) throws IOException {
    while (true) {
      long left = budget.get();
      if (left == UNLIMITED) {
        return wanted;
      }
      if (left <= 0) {
        injectedFailures.incrementAndGet();
        throw new IOException("No space left on device");
      }
      int granted = (int) Math.min(wanted, left);
      if (budget.compareAndSet(left, left - granted)) {
        return granted;
      }
    }
  }

  private final class FaultyChannel extends FileChannel {
    private final FileChannel ch;

    FaultyChannel(FileChannel ch) {
      this.ch = ch;
    }

    private int limitedWrite(ByteBuffer src, long position) throws IOException {
      int granted = reserve(src.remaining());
      int oldLimit = src.limit();
      src.limit(src.position() + granted);
      try {
        int n = position < 0 ? ch.write(src) : ch.write(src, position);
        bytesWritten.addAndGet(n);
        return n;
      } finally {
        src.limit(oldLimit);
      }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      awaitWriteGate();
      return limitedWrite(src, -1);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      awaitWriteGate();
      return limitedWrite(src, position);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      long total = 0;
      for (int i = offset; i < offset + length; i++) {
        if (srcs[i].hasRemaining()) {
          int n = write(srcs[i]);
          total += n;
          if (srcs[i].hasRemaining()) {
            break;
          }
        }
      }
      return total;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      awaitForceGate();
      if (failForce.getAndSet(false)) {
        injectedFailures.incrementAndGet();
        throw new IOException("Input/output error (injected fsync failure)");
      }
      ch.force(metaData);
      forces.incrementAndGet();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      if (failTruncate.getAndSet(false)) {
        injectedFailures.incrementAndGet();
        throw new IOException("Input/output error (injected truncate failure)");
      }
      ch.truncate(size);
      return this;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return ch.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      return ch.read(dsts, offset, length);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return ch.read(dst, position);
    }

    @Override
    public long position() throws IOException {
      return ch.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      ch.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return ch.size();
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target)
        throws IOException {
      return ch.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count)
        throws IOException {
      // Routed through write so the budget applies.
      var buf = ByteBuffer.allocate((int) Math.min(count, 1 << 16));
      long done = 0;
      while (done < count) {
        buf.clear().limit((int) Math.min(buf.capacity(), count - done));
        int n = src.read(buf);
        if (n <= 0) {
          break;
        }
        buf.flip();
        while (buf.hasRemaining()) {
          done += write(buf, position + done);
        }
      }
      return done;
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
      return ch.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
      return ch.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      return ch.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
      ch.close();
    }
  }
}
