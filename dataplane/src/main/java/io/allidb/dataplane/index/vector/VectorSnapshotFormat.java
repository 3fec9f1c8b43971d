package io.allidb.dataplane.index.vector;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Vector index snapshot v1: one file, {@code vector-index.snapshot} in the node's data directory,
 * holding every tenant graph of a {@link JVectorIndex} so a restart loads the graphs instead of
 * re-inserting every vector (ADR 0002). Written whole at a clean close to a temporary file, fsynced
 * and renamed over the previous snapshot.
 *
 * <p>All integers big-endian. Strings are <b>[int32]</b> byte length + UTF-8 bytes.
 *
 * <h2>File</h2>
 *
 * <ul>
 *   <li>Header: <b>[int32]</b> magic {@code 0x414C5653} ("ALVS"), <b>[int32]</b> version
 *   <li>Sections, each <b>[int32]</b> type, <b>[int32]</b> body length N, N bytes of body,
 *       <b>[int32]</b> CRC32C of the body
 *   <li>Per tenant, in this order: one {@code TENANT} section, zero or more {@code VECTORS}
 *       sections, one {@code GRAPH} section
 *   <li>Last: an {@code END} section; a file without it is incomplete and is not loaded
 * </ul>
 *
 * <h2>Section bodies</h2>
 *
 * <ul>
 *   <li>{@code TENANT} (1): <b>[string]</b> tenant, <b>[string]</b> metric ({@link VectorMetric}
 *       name), <b>[int32]</b> dimension, <b>[int32]</b> max degree, <b>[int32]</b> construction
 *       beam width, <b>[float32]</b> neighbour overflow, <b>[float32]</b> alpha, <b>[int32]</b>
 *       live vectors, <b>[int32]</b> next ordinal. A graph built with other options than the index
 *       now has is not loaded.
 *   <li>{@code VECTORS} (2): <b>[int32]</b> count, then per vector <b>[int32]</b> jvector ordinal,
 *       <b>[string]</b> entity id, dimension x <b>[float32]</b>. At most {@link
 *       #VECTORS_PER_SECTION} per section, so a section stays far below 2 GiB.
 *   <li>{@code GRAPH} (3): the tenant's jvector graph as {@code OnHeapGraphIndex.save} writes it
 *       (jvector 4.x: its own magic and version, layers, entry node, per node its ordinal and
 *       neighbour ordinals with scores), read back with {@code GraphIndexBuilder.load}. Only live
 *       ordinals are in it: deleted nodes are removed before saving.
 *   <li>{@code END} (0): <b>[int32]</b> number of tenants written.
 * </ul>
 *
 * <p>The snapshot is a cache of the storage engine, never the data of record: at open every stored
 * entity is compared with it and re-indexed when its vector differs or it is missing, and snapshot
 * entries storage no longer holds are deleted ({@code EntityIndexer#reconcile}). A damaged,
 * incomplete or incompatible snapshot is ignored (full rebuild).
 */
public final class VectorSnapshotFormat {
  public static final int VERSION_START = 1;
  public static final int VERSION_CURRENT = VERSION_START;
  public static final String FILE_NAME = "vector-index.snapshot";
  static final int MAGIC = 0x414C_5653; // "ALVS"
  static final int END = 0;
  static final int TENANT = 1;
  static final int VECTORS = 2;
  static final int GRAPH = 3;
  static final int VECTORS_PER_SECTION = 65_536;

  private VectorSnapshotFormat() {}

  /** Thrown for a snapshot that cannot be loaded; the caller falls back to a full rebuild. */
  public static final class InvalidSnapshotException extends IOException {
    InvalidSnapshotException(String message) {
      super(message);
    }
  }

  /**
   * Writes sections to a file channel; each section's length is patched in and its CRC appended
   * when it ends. Not thread-safe.
   */
  static final class Writer implements AutoCloseable {
    private final FileChannel channel;
    private final CountingCrcStream body;
    private final DataOutputStream out;
    private long lengthPosition = -1;

    Writer(FileChannel channel) throws IOException {
      this.channel = channel;
      this.body =
          new CountingCrcStream(new BufferedOutputStream(Channels.newOutputStream(channel)));
      this.out = new DataOutputStream(body);
      out.writeInt(MAGIC);
      out.writeInt(VERSION_CURRENT);
    }

    /** Starts a section; write its body to the returned stream, then call {@link #endSection}. */
    DataOutputStream beginSection(int type) throws IOException {
      out.writeInt(type);
      out.flush();
      lengthPosition = channel.position();
      out.writeInt(0); // patched in endSection
      out.flush();
      body.reset();
      return out;
    }

    void endSection() throws IOException {
      out.flush();
      long length = body.count();
      if (length > Integer.MAX_VALUE) {
        throw new IOException("snapshot section too large: " + length + " bytes");
      }
      int crc = (int) body.crc();
      out.writeInt(crc);
      out.flush();
      channel.write(ByteBuffer.allocate(4).putInt(0, (int) length), lengthPosition);
    }

    @Override
    public void close() throws IOException {
      out.flush();
    }
  }

  /** Sections of a snapshot file mapped in memory, in file order. Not thread-safe. */
  static final class Reader {
    private final FileChannel channel;
    private long position;

    Reader(FileChannel channel) throws IOException {
      this.channel = channel;
      ByteBuffer header = read(0, 8);
      if (header.getInt(0) != MAGIC) {
        throw new InvalidSnapshotException("bad magic " + Integer.toHexString(header.getInt(0)));
      }
      int version = header.getInt(4);
      if (version != VERSION_CURRENT) {
        throw new InvalidSnapshotException("unknown snapshot version " + version);
      }
      position = 8;
    }

    /** The next section's body, checked against its CRC; its type must be {@code expectedType}. */
    ByteBuffer nextSection(int expectedType) throws IOException {
      ByteBuffer head = read(position, 8);
      int type = head.getInt(0);
      int length = head.getInt(4);
      if (type != expectedType || length < 0) {
        throw new InvalidSnapshotException(
            "expected section " + expectedType + " at " + position + ", got " + type);
      }
      if (position + 8 + length + 4 > channel.size()) {
        throw new InvalidSnapshotException("truncated in section at " + position);
      }
      ByteBuffer body = channel.map(FileChannel.MapMode.READ_ONLY, position + 8, length);
      int stored = read(position + 8 + length, 4).getInt(0);
      var crc = new CRC32C();
      crc.update(body.duplicate());
      if ((int) crc.getValue() != stored) {
        throw new InvalidSnapshotException("CRC mismatch in section at " + position);
      }
      position += 8 + length + 4;
      return body;
    }

    /** The type of the section at the current position, without consuming it. */
    int peekType() throws IOException {
      return read(position, 4).getInt(0);
    }

    private ByteBuffer read(long at, int n) throws IOException {
      if (at + n > channel.size()) {
        throw new InvalidSnapshotException("truncated at " + at);
      }
      ByteBuffer b = ByteBuffer.allocate(n);
      while (b.hasRemaining()) {
        if (channel.read(b, at + b.position()) < 0) {
          throw new InvalidSnapshotException("truncated at " + at);
        }
      }
      return b.flip();
    }
  }

  static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  static String readString(ByteBuffer in) throws InvalidSnapshotException {
    int n = in.getInt();
    if (n < 0 || n > in.remaining()) {
      throw new InvalidSnapshotException("bad string length " + n);
    }
    byte[] b = new byte[n];
    in.get(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  /** Counts and checksums the bytes written since the last {@link #reset}. */
  private static final class CountingCrcStream extends FilterOutputStream {
    private final CRC32C crc = new CRC32C();
    private long count;

    CountingCrcStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      crc.update(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      crc.update(b, off, len);
      count += len;
    }

    void reset() {
      crc.reset();
      count = 0;
    }

    long count() {
      return count;
    }

    long crc() {
      return crc.getValue();
    }
  }
}
