package io.allidb.dataplane.storage.sstable;

import io.allidb.dataplane.storage.io.FileIo;
import io.allidb.dataplane.storage.row.Row;
import io.allidb.dataplane.storage.row.RowCodec;
import io.allidb.dataplane.storage.row.RowKey;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one SSTable from rows given in strictly increasing key order (a memtable flush or a
 * compaction output). See {@link SSTableFormat} for the layout.
 *
 * <p>The table is written to {@code <name>.tmp}; {@link #finish()} fsyncs it, renames it to its
 * final name, fsyncs the directory and opens a reader. A writer that fails or is closed before
 * {@code finish()} deletes its temporary file, so a failed write (disk full, say) never leaves a
 * file under a live SSTable name.
 *
 * <p>Not thread-safe: one thread drives a writer.
 */
public final class SSTableWriter implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(SSTableWriter.class);
  // Pure Java, not JNI: the JNI codec pins the arrays it works on, and every pin during a young
  // collection is an evacuation failure that added tens of ms to GC pauses under write load.
  private static final LZ4Compressor LZ4 = LZ4Factory.fastestJavaInstance().fastCompressor();
  private static final int OUTPUT_BUFFER_BYTES = 64 << 10;

  private enum State {
    OPEN,
    FAILED,
    FINISHED,
    CLOSED
  }

  private final Path dir;
  private final long generation;
  private final int blockBytes;
  private final FileIo io;
  private final Path tmpPath;
  private final Path finalPath;
  private final FileChannel channel;
  private final ByteBuffer out = ByteBuffer.allocate(OUTPUT_BUFFER_BYTES);
  private final BlockBuffer block;
  private byte[] framed = new byte[0];
  private final BloomFilter bloom;
  private final List<IndexEntry> index = new ArrayList<>();
  private State state = State.OPEN;
  private long position;
  private int blockRows;

  private RowKey firstKey;
  private RowKey lastKey;
  private long rowCount;
  private long tombstoneCount;
  private long minTimestamp = Long.MAX_VALUE;
  private long maxTimestamp = Long.MIN_VALUE;
  private long minDeletionTime = Long.MAX_VALUE;
  private long maxDeletionTime = Long.MIN_VALUE;

  /** One index entry: a data block's last key, position, on-disk length and row count. */
  record IndexEntry(RowKey lastKey, long offset, int length, int rowCount) {}

  private SSTableWriter(
      Path dir,
      long generation,
      int blockBytes,
      int bloomBitsPerKey,
      long expectedKeys,
      FileIo io,
      FileChannel channel) {
    this.dir = dir;
    this.generation = generation;
    this.blockBytes = blockBytes;
    this.io = io;
    this.tmpPath = dir.resolve(SSTableFormat.tmpFileName(generation));
    this.finalPath = dir.resolve(SSTableFormat.fileName(generation));
    this.channel = channel;
    this.block = new BlockBuffer(blockBytes + 1024);
    this.bloom = BloomFilter.create(expectedKeys, bloomBitsPerKey);
  }

  /**
   * Starts a table.
   *
   * @param dir the SSTable directory
   * @param generation the table's generation, unique within the directory
   * @param blockBytes uncompressed size at which a data block is cut
   * @param bloomBitsPerKey bloom filter bits per key (10: about 1% false positives)
   * @param expectedKeys how many rows will be added, or an upper bound; sizes the bloom filter
   * @param io file-system access
   * @throws FileAlreadyExistsException when a table of this generation already exists
   */
  public static SSTableWriter create(
      Path dir, long generation, int blockBytes, int bloomBitsPerKey, long expectedKeys, FileIo io)
      throws IOException {
    if (blockBytes < 1) {
      throw new IllegalArgumentException("blockBytes must be positive; got " + blockBytes);
    }
    Path finalPath = dir.resolve(SSTableFormat.fileName(generation));
    // A read-only probe, so it bypasses FileIo: reusing a generation is a bug, and the rename in
    // finish() would silently replace a live table.
    if (Files.exists(finalPath)) {
      throw new FileAlreadyExistsException(finalPath.toString(), null, "SSTable already exists");
    }
    Path tmp = dir.resolve(SSTableFormat.tmpFileName(generation));
    // TRUNCATE_EXISTING: a .tmp of the same generation can only be debris from a crashed write.
    FileChannel ch =
        io.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE);
    return new SSTableWriter(dir, generation, blockBytes, bloomBitsPerKey, expectedKeys, io, ch);
  }

  /**
   * Appends a row.
   *
   * @throws IllegalArgumentException when the key is not greater than the previous row's key
   * @throws IllegalStateException when the writer is finished, closed or failed earlier
   */
  public void add(Row row) throws IOException {
    ensureOpen();
    RowKey key = row.key();
    if (lastKey != null && key.compareTo(lastKey) <= 0) {
      throw new IllegalArgumentException(
          "SSTable keys must be strictly increasing: " + key + " added after " + lastKey);
    }
    try {
      block.write(RowCodec.toBytes(row));
      blockRows++;
      bloom.add(key);
      if (firstKey == null) {
        firstKey = key;
      }
      lastKey = key;
      rowCount++;
      if (row.tombstone()) {
        tombstoneCount++;
      }
      minTimestamp = Math.min(minTimestamp, row.timestamp());
      maxTimestamp = Math.max(maxTimestamp, row.timestamp());
      minDeletionTime = Math.min(minDeletionTime, row.deletionTimeMicros());
      maxDeletionTime = Math.max(maxDeletionTime, row.deletionTimeMicros());
      if (block.size() >= blockBytes) {
        writeDataBlock();
      }
    } catch (IOException | RuntimeException e) {
      state = State.FAILED;
      throw e;
    }
  }

  /**
   * Completes the table: writes the last data block, index, bloom filter, properties and footer,
   * fsyncs, renames the file to its final name, fsyncs the directory and returns an open reader
   * (holding one reference, which the caller owns).
   *
   * <p>On failure the temporary file, and the final file if the rename already happened, are
   * deleted before the exception propagates.
   *
   * @throws IllegalStateException when no row was added; the engine never flushes an empty table
   */
  public SSTableReader finish() throws IOException {
    ensureOpen();
    if (rowCount == 0) {
      throw new IllegalStateException("cannot finish an SSTable without rows: " + tmpPath);
    }
    boolean renamed = false;
    try {
      if (blockRows > 0) {
        writeDataBlock();
      }
      long indexOffset = position;
      int indexLength = writeMetaBlock(encodeIndex());
      long bloomOffset = position;
      var bloomBytes = new ByteArrayOutputStream((int) Math.min(bloom.serializedBytes(), 1 << 30));
      try (var dos = new DataOutputStream(bloomBytes)) {
        bloom.serialize(dos);
      }
      int bloomLength = writeMetaBlock(bloomBytes.toByteArray());
      long propsOffset = position;
      var props =
          new SSTableProperties(
              rowCount,
              tombstoneCount,
              minTimestamp,
              maxTimestamp,
              firstKey,
              lastKey,
              nowMicros(),
              minDeletionTime,
              maxDeletionTime);
      int propsLength = writeMetaBlock(props.encode());
      var footer =
          new SSTableFormat.Footer(
              indexOffset,
              indexLength,
              bloomOffset,
              bloomLength,
              propsOffset,
              propsLength,
              SSTableFormat.VERSION_CURRENT);
      write(footer.encode(), 0, SSTableFormat.FOOTER_BYTES);
      flushOutput();
      channel.force(true);
      channel.close();
      io.atomicMove(tmpPath, finalPath);
      renamed = true;
      io.syncDirectory(dir);
      SSTableReader reader = SSTableReader.open(finalPath, io);
      state = State.FINISHED;
      logger.debug(
          "wrote {}: {} rows in {} blocks, {} bytes", finalPath, rowCount, index.size(), position);
      return reader;
    } catch (IOException | RuntimeException e) {
      state = State.FAILED;
      abandon(e);
      if (renamed) {
        deleteQuietly(finalPath, e);
      }
      throw e;
    }
  }

  /** Bytes handed to the file so far (completed data blocks, and metadata once finishing). */
  public long bytesWritten() {
    return position;
  }

  /** The generation being written. */
  public long generation() {
    return generation;
  }

  /**
   * Abandons an unfinished table, deleting its temporary file; no-op after {@link #finish()}
   * succeeded. Idempotent.
   */
  @Override
  public void close() throws IOException {
    if (state == State.FINISHED || state == State.CLOSED) {
      return;
    }
    state = State.CLOSED;
    IOException failure = new IOException("abandoning " + tmpPath);
    abandon(failure);
    if (failure.getSuppressed().length > 0) {
      throw failure;
    }
  }

  private void abandon(Throwable primary) {
    try {
      channel.close();
    } catch (IOException e) {
      primary.addSuppressed(e);
    }
    deleteQuietly(tmpPath, primary);
    logger.debug("abandoned SSTable {}", tmpPath);
  }

  private void deleteQuietly(Path path, Throwable primary) {
    try {
      io.deleteIfExists(path);
    } catch (IOException e) {
      primary.addSuppressed(e);
    }
  }

  private void ensureOpen() {
    if (state != State.OPEN) {
      throw new IllegalStateException("SSTable writer for " + tmpPath + " is " + state);
    }
  }

  private void writeDataBlock() throws IOException {
    byte[] raw = block.array();
    int rawLength = block.size();
    int header = SSTableFormat.BLOCK_HEADER_BYTES;
    int crcBytes = SSTableFormat.CRC_BYTES;
    int capacity = header + LZ4.maxCompressedLength(rawLength) + crcBytes;
    if (framed.length < capacity) {
      framed = new byte[capacity]; // reused across blocks: one allocation per table, not per block
    }
    int stored = LZ4.compress(raw, 0, rawLength, framed, header);
    byte compression = SSTableFormat.COMPRESSION_LZ4;
    if (stored >= rawLength) {
      // Incompressible (random or already compressed values): keep the raw bytes, no decode cost.
      compression = SSTableFormat.COMPRESSION_NONE;
      System.arraycopy(raw, 0, framed, header, rawLength);
      stored = rawLength;
    }
    var buf = ByteBuffer.wrap(framed);
    buf.put(compression).putInt(rawLength).putInt(stored);
    int length = header + stored + crcBytes;
    buf.putInt(header + stored, SSTableFormat.crc32c(framed, 0, header + stored));
    index.add(new IndexEntry(lastKey, position, length, blockRows));
    write(framed, 0, length);
    block.reset();
    blockRows = 0;
  }

  private byte[] encodeIndex() throws IOException {
    var bytes = new ByteArrayOutputStream(index.size() * 48 + 4);
    try (var dos = new DataOutputStream(bytes)) {
      dos.writeInt(index.size());
      for (IndexEntry e : index) {
        SSTableFormat.writeKey(dos, e.lastKey());
        dos.writeLong(e.offset());
        dos.writeInt(e.length());
        dos.writeInt(e.rowCount());
      }
    }
    return bytes.toByteArray();
  }

  /** Writes a metadata block body followed by its CRC32C; returns the on-disk length. */
  private int writeMetaBlock(byte[] body) throws IOException {
    write(body, 0, body.length);
    byte[] crc = ByteBuffer.allocate(4).putInt(SSTableFormat.crc32c(body, 0, body.length)).array();
    write(crc, 0, crc.length);
    return body.length + crc.length;
  }

  private void write(byte[] bytes, int off, int len) throws IOException {
    while (len > 0) {
      if (!out.hasRemaining()) {
        flushOutput();
      }
      int n = Math.min(len, out.remaining());
      out.put(bytes, off, n);
      off += n;
      len -= n;
      position += n;
    }
  }

  private void flushOutput() throws IOException {
    out.flip();
    while (out.hasRemaining()) {
      channel.write(out);
    }
    out.clear();
  }

  private static long nowMicros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }

  /** A block buffer whose bytes can be compressed in place, without the copy of toByteArray(). */
  private static final class BlockBuffer extends ByteArrayOutputStream {
    BlockBuffer(int size) {
      super(size);
    }

    byte[] array() {
      return buf;
    }
  }
}
