package io.allidb.dataplane.storage.sstable;

import com.google.protobuf.CodedInputStream;
import io.allidb.dataplane.storage.io.FileIo;
import io.allidb.dataplane.storage.row.Row;
import io.allidb.dataplane.storage.row.RowCodec;
import io.allidb.dataplane.storage.row.RowIterator;
import io.allidb.dataplane.storage.row.RowKey;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An open, immutable SSTable: point reads and range scans. See {@link SSTableFormat}.
 *
 * <p>{@link #open} reads and verifies the footer, index, bloom filter and properties and keeps them
 * in memory; data blocks are read on demand, one positional read per block, and their CRC is
 * checked before anything in them is decoded. Any mismatch throws {@link CorruptSSTableException};
 * damaged bytes are never returned as rows.
 *
 * <p>Thread-safe: {@link #get} and {@link #iterator} may run concurrently, because reads are
 * positional ({@link FileChannel#read(ByteBuffer, long)}) and share no file position.
 *
 * <p>Reference counted so compaction can retire a table while reads are in flight. A reader starts
 * with one reference, owned by whoever opened it. Readers of a shared table call {@link #tryRef()}
 * before use and {@link #unref()} after; {@code get} and open iterators also hold their own
 * reference while they run. When the count reaches zero the file is closed, and deleted if {@link
 * #markObsolete()} was called. {@link #close()} releases one reference.
 */
public final class SSTableReader implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(SSTableReader.class);

  private final Path path;
  private final long generation;
  private final FileIo io;
  private final FileChannel channel;
  private final long fileBytes;
  private final SSTableProperties properties;
  private final BloomFilter bloom;
  private final RowKey[] lastKeys;
  private final long[] offsets;
  private final int[] lengths;
  private final int[] rowCounts;
  private final AtomicInteger refs = new AtomicInteger(1);
  private final AtomicBoolean deleted = new AtomicBoolean();
  private volatile boolean obsolete;

  private SSTableReader(
      Path path,
      long generation,
      FileIo io,
      FileChannel channel,
      long fileBytes,
      SSTableProperties properties,
      BloomFilter bloom,
      RowKey[] lastKeys,
      long[] offsets,
      int[] lengths,
      int[] rowCounts) {
    this.path = path;
    this.generation = generation;
    this.io = io;
    this.channel = channel;
    this.fileBytes = fileBytes;
    this.properties = properties;
    this.bloom = bloom;
    this.lastKeys = lastKeys;
    this.offsets = offsets;
    this.lengths = lengths;
    this.rowCounts = rowCounts;
  }

  /**
   * Opens a table and verifies its footer and metadata blocks.
   *
   * @throws CorruptSSTableException when a check fails (truncation, bad magic or version, CRC
   *     mismatch, out-of-bounds offsets, undecodable metadata)
   * @throws IllegalArgumentException when the file name is not an SSTable name
   */
  public static SSTableReader open(Path file, FileIo io) throws IOException {
    long generation = SSTableFormat.generationOf(file);
    FileChannel ch = io.open(file, StandardOpenOption.READ);
    try {
      return open(file, generation, io, ch);
    } catch (IOException | RuntimeException e) {
      try {
        ch.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  private static SSTableReader open(Path file, long generation, FileIo io, FileChannel ch)
      throws IOException {
    long size = ch.size();
    if (size < SSTableFormat.FOOTER_BYTES) {
      throw new CorruptSSTableException(
          file,
          -1,
          "file is truncated: "
              + size
              + " bytes, shorter than the "
              + SSTableFormat.FOOTER_BYTES
              + "-byte footer");
    }
    long footerOffset = size - SSTableFormat.FOOTER_BYTES;
    var footer =
        SSTableFormat.Footer.decode(
            SSTableBlocks.readFully(ch, file, footerOffset, SSTableFormat.FOOTER_BYTES),
            file,
            size);

    ByteBuffer indexBody =
        SSTableBlocks.readMetaBlock(ch, file, footer.indexOffset(), footer.indexLength(), "index");
    int blocks;
    RowKey[] lastKeys;
    long[] offsets;
    int[] lengths;
    int[] rowCounts;
    long totalRows = 0;
    try {
      blocks = indexBody.getInt();
      // Each entry takes at least 20 bytes; bounds the allocation before trusting the count.
      if (blocks < 1 || blocks > indexBody.remaining() / 20) {
        throw new IllegalArgumentException("implausible block count " + blocks);
      }
      lastKeys = new RowKey[blocks];
      offsets = new long[blocks];
      lengths = new int[blocks];
      rowCounts = new int[blocks];
      long expectedOffset = 0;
      for (int i = 0; i < blocks; i++) {
        lastKeys[i] = SSTableFormat.readKey(indexBody);
        offsets[i] = indexBody.getLong();
        lengths[i] = indexBody.getInt();
        rowCounts[i] = indexBody.getInt();
        if (offsets[i] != expectedOffset
            || lengths[i] < SSTableFormat.BLOCK_HEADER_BYTES + SSTableFormat.CRC_BYTES
            || rowCounts[i] < 1) {
          throw new IllegalArgumentException(
              "entry "
                  + i
                  + " (offset "
                  + offsets[i]
                  + ", length "
                  + lengths[i]
                  + ", rows "
                  + rowCounts[i]
                  + ") does not follow the previous block");
        }
        if (i > 0 && lastKeys[i].compareTo(lastKeys[i - 1]) <= 0) {
          throw new IllegalArgumentException("entry " + i + " is out of key order");
        }
        expectedOffset += lengths[i];
        totalRows += rowCounts[i];
      }
      if (expectedOffset != footer.indexOffset()) {
        throw new IllegalArgumentException(
            "data blocks end at " + expectedOffset + ", not at the index");
      }
      if (indexBody.hasRemaining()) {
        throw new IllegalArgumentException(indexBody.remaining() + " trailing bytes");
      }
    } catch (IllegalArgumentException | BufferUnderflowException e) {
      throw new CorruptSSTableException(
          file, footer.indexOffset(), "index block does not decode: " + e, e);
    }

    ByteBuffer bloomBody =
        SSTableBlocks.readMetaBlock(ch, file, footer.bloomOffset(), footer.bloomLength(), "bloom");
    BloomFilter bloom;
    try {
      bloom = BloomFilter.deserialize(bloomBody);
    } catch (IllegalArgumentException | BufferUnderflowException e) {
      throw new CorruptSSTableException(
          file, footer.bloomOffset(), "bloom block does not decode: " + e, e);
    }

    ByteBuffer propsBody =
        SSTableBlocks.readMetaBlock(
            ch, file, footer.propertiesOffset(), footer.propertiesLength(), "properties");
    SSTableProperties props;
    try {
      props = SSTableProperties.decode(propsBody);
    } catch (IllegalArgumentException | BufferUnderflowException e) {
      throw new CorruptSSTableException(
          file, footer.propertiesOffset(), "properties block does not decode: " + e, e);
    }
    if (props.rowCount() != totalRows || !props.maxKey().equals(lastKeys[blocks - 1])) {
      throw new CorruptSSTableException(
          file,
          footer.propertiesOffset(),
          "properties ("
              + props.rowCount()
              + " rows, max "
              + props.maxKey()
              + ") contradict the index");
    }
    return new SSTableReader(
        file, generation, io, ch, size, props, bloom, lastKeys, offsets, lengths, rowCounts);
  }

  /** The table's generation, from its file name. */
  public long generation() {
    return generation;
  }

  /** The table's file. */
  public Path path() {
    return path;
  }

  /** Size of the file in bytes. */
  public long fileBytes() {
    return fileBytes;
  }

  /** The table's summary. */
  public SSTableProperties properties() {
    return properties;
  }

  /** False when the table certainly does not hold the key (outside its key range or bloom miss). */
  public boolean mightContain(RowKey key) {
    return key.compareTo(properties.minKey()) >= 0
        && key.compareTo(properties.maxKey()) <= 0
        && bloom.mightContain(key);
  }

  /**
   * The table's row for a key (which may be a tombstone or expired; resolving that is the caller's
   * business).
   *
   * @throws CorruptSSTableException when the block holding the key is damaged
   * @throws IllegalStateException when every reference to the reader has been released
   */
  public Optional<Row> get(RowKey key) throws IOException {
    if (!mightContain(key)) {
      return Optional.empty();
    }
    acquire();
    try {
      int block = findBlock(key);
      if (block == lastKeys.length) {
        return Optional.empty();
      }
      Row[] rows = loadBlock(block);
      int i = lowerBound(rows, key);
      return i < rows.length && rows[i].key().equals(key) ? Optional.of(rows[i]) : Optional.empty();
    } finally {
      unref();
    }
  }

  /**
   * Rows with {@code fromInclusive <= key < toExclusive}, in key order, read lazily block by block.
   * The iterator holds a reference to this reader until it is closed or exhausted.
   *
   * @param fromInclusive first key, or null to start at the table's first row
   * @param toExclusive end key, or null to run to the table's last row
   * @throws IllegalStateException when every reference to the reader has been released
   */
  public RowIterator iterator(RowKey fromInclusive, RowKey toExclusive) throws IOException {
    acquire();
    return new BlockIterator(fromInclusive, toExclusive);
  }

  /**
   * Takes a reference unless the count already reached zero.
   *
   * @return false when the reader is closed and must not be used
   */
  public boolean tryRef() {
    while (true) {
      int n = refs.get();
      if (n <= 0) {
        return false;
      }
      if (refs.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  /**
   * Releases a reference. The last one closes the file and, if {@link #markObsolete()} was called,
   * deletes it; failures to close or delete are logged (the engine removes files no manifest lists
   * at startup).
   *
   * @throws IllegalStateException when more references are released than were taken
   */
  public void unref() {
    int n = refs.decrementAndGet();
    if (n < 0) {
      throw new IllegalStateException("SSTable reader " + path + " released more often than taken");
    }
    if (n == 0) {
      try {
        channel.close();
      } catch (IOException e) {
        logger.warn("failed to close {}", path, e);
      }
      if (obsolete) {
        deleteOnce();
      }
    }
  }

  /**
   * Marks the table for deletion when its last reference is released (compaction replaced it). Call
   * it while still holding a reference; reads through references already taken keep working.
   */
  public void markObsolete() {
    obsolete = true;
    // Covers a caller that marks after the count already reached zero.
    if (refs.get() == 0) {
      deleteOnce();
    }
  }

  /** Releases one reference, as {@link #unref()}. */
  @Override
  public void close() {
    unref();
  }

  @Override
  public String toString() {
    return "SSTableReader[" + path.getFileName() + ", " + properties.rowCount() + " rows]";
  }

  int blockCount() {
    return lastKeys.length;
  }

  long blockOffset(int block) {
    return offsets[block];
  }

  int blockLength(int block) {
    return lengths[block];
  }

  RowKey blockLastKey(int block) {
    return lastKeys[block];
  }

  private void acquire() {
    if (!tryRef()) {
      throw new IllegalStateException("SSTable reader " + path + " is closed");
    }
  }

  private void deleteOnce() {
    if (deleted.compareAndSet(false, true)) {
      try {
        io.deleteIfExists(path);
        logger.info("deleted obsolete SSTable {}", path);
      } catch (IOException e) {
        logger.warn("failed to delete obsolete SSTable {}", path, e);
      }
    }
  }

  /** Index of the first block whose last key is >= key, or the block count when there is none. */
  private int findBlock(RowKey key) {
    int lo = 0;
    int hi = lastKeys.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (lastKeys[mid].compareTo(key) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private static int lowerBound(Row[] rows, RowKey key) {
    int lo = 0;
    int hi = rows.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (rows[mid].key().compareTo(key) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Reads, verifies, decompresses and decodes one data block. */
  private Row[] loadBlock(int block) throws IOException {
    ByteBuffer data = SSTableBlocks.readDataBlock(channel, path, offsets[block], lengths[block]);
    return decodeRows(block, data.array(), data.arrayOffset() + data.position(), data.remaining());
  }

  private Row[] decodeRows(int block, byte[] data, int offset, int length) throws IOException {
    long blockOffset = offsets[block];
    // A row takes at least 14 bytes; bounds the allocation before trusting the count.
    if (rowCounts[block] > length / 14) {
      throw new CorruptSSTableException(
          path, blockOffset, rowCounts[block] + " rows cannot fit in " + length + " bytes");
    }
    Row[] rows = new Row[rowCounts[block]];
    var in = CodedInputStream.newInstance(data, offset, length);
    in.setSizeLimit(Integer.MAX_VALUE);
    RowKey previous = block > 0 ? lastKeys[block - 1] : null;
    try {
      for (int i = 0; i < rows.length; i++) {
        if (in.isAtEnd()) {
          throw new CorruptSSTableException(
              path, blockOffset, "block holds " + i + " rows, index says " + rows.length);
        }
        rows[i] = RowCodec.read(in);
        if (previous != null && rows[i].key().compareTo(previous) <= 0) {
          throw new CorruptSSTableException(
              path, blockOffset, "block rows out of key order at " + rows[i].key());
        }
        previous = rows[i].key();
      }
      if (!in.isAtEnd() || !previous.equals(lastKeys[block])) {
        throw new CorruptSSTableException(
            path, blockOffset, "block contents do not match its index entry");
      }
    } catch (CorruptSSTableException e) {
      throw e;
    } catch (IOException e) {
      throw new CorruptSSTableException(path, blockOffset, "block row does not decode: " + e, e);
    }
    return rows;
  }

  /** Lazy scan over [from, to): loads one block at a time. Not thread-safe. */
  private final class BlockIterator implements RowIterator {
    private final RowKey from;
    private final RowKey to;
    private int nextBlock;
    private boolean first = true;
    private Row[] rows;
    private int pos;
    private boolean done;
    private boolean released;

    BlockIterator(RowKey from, RowKey to) {
      this.from = from;
      this.to = to;
      this.nextBlock = from == null ? 0 : findBlock(from);
      if (from != null && to != null && from.compareTo(to) >= 0) {
        finish();
      }
    }

    @Override
    public boolean hasNext() throws IOException {
      while (!done && (rows == null || pos >= rows.length)) {
        if (nextBlock >= lastKeys.length) {
          finish();
          break;
        }
        // nextBlock advances only after a successful load, so a corrupt block fails every call.
        Row[] loaded = loadBlock(nextBlock);
        nextBlock++;
        rows = loaded;
        pos = first && from != null ? lowerBound(loaded, from) : 0;
        first = false;
      }
      if (!done && to != null && rows[pos].key().compareTo(to) >= 0) {
        finish();
      }
      return !done;
    }

    @Override
    public Row next() throws IOException {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return rows[pos++];
    }

    @Override
    public RowKey peekKey() throws IOException {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return rows[pos].key();
    }

    @Override
    public void close() {
      done = true;
      rows = null;
      release();
    }

    private void finish() {
      done = true;
      rows = null;
      // Exhaustion releases the reference early, so a forgotten close() does not pin the file.
      release();
    }

    private void release() {
      if (!released) {
        released = true;
        unref();
      }
    }
  }
}
