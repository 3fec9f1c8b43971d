package io.allidb.dataplane.storage.manifest;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Byte layout of the {@code MANIFEST} file: the set of live SSTables and where WAL replay starts.
 *
 * <p>The manifest is rewritten whole on every change (flush, compaction): written to {@code
 * MANIFEST.tmp}, fsynced, renamed over {@code MANIFEST}, directory fsynced. A crash at any point
 * leaves either the old or the new version, never a mix. SSTable files not named by the manifest
 * are leftovers of an interrupted flush or compaction and are deleted at open; their rows are still
 * in the WAL (flush) or in the input tables (compaction).
 *
 * <pre>
 * u32  magic            0x414C4D46 ("ALMF")
 * u16  version          1
 * u16  reserved         0
 * u64  nextGeneration   next SSTable generation number to hand out
 * u64  walStartSegment  first WAL segment whose rows may not be in an SSTable yet; replay starts here
 * u64  maxTimestamp     greatest row timestamp in the live SSTables (seeds the clock)
 * u32  tableCount
 * u64  generation       x tableCount, the live SSTables
 * u32  CRC32C           of every byte before it
 * </pre>
 *
 * All integers are big-endian.
 */
public final class ManifestFormat {
  public static final int MAGIC = 0x414C4D46;
  public static final int VERSION_CURRENT = 1;
  public static final String FILE_NAME = "MANIFEST";

  private ManifestFormat() {}

  /** Encodes a manifest. */
  public static byte[] encode(ManifestState state) {
    var bytes = new ByteArrayOutputStream();
    try (var out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeShort(VERSION_CURRENT);
      out.writeShort(0);
      out.writeLong(state.nextGeneration());
      out.writeLong(state.walStartSegment());
      out.writeLong(state.maxTimestamp());
      out.writeInt(state.liveGenerations().size());
      for (long g : state.liveGenerations()) {
        out.writeLong(g);
      }
    } catch (IOException e) {
      throw new IllegalStateException("in-memory stream cannot fail", e);
    }
    byte[] body = bytes.toByteArray();
    var crc = new CRC32C();
    crc.update(body);
    return ByteBuffer.allocate(body.length + 4).put(body).putInt((int) crc.getValue()).array();
  }

  /**
   * Decodes a manifest.
   *
   * @throws IOException naming what is wrong when the bytes are not a valid manifest
   */
  public static ManifestState decode(byte[] bytes, String source) throws IOException {
    if (bytes.length < 4 + 2 + 2 + 8 * 3 + 4 + 4) {
      throw new IOException(source + ": manifest truncated (" + bytes.length + " bytes)");
    }
    var crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 4);
    int stored = ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt();
    if ((int) crc.getValue() != stored) {
      throw new IOException(source + ": manifest checksum mismatch");
    }
    try (var in =
        new DataInputStream(new java.io.ByteArrayInputStream(bytes, 0, bytes.length - 4))) {
      int magic = in.readInt();
      if (magic != MAGIC) {
        throw new IOException(
            source + ": not a manifest (magic 0x" + Integer.toHexString(magic) + ")");
      }
      int version = in.readUnsignedShort();
      if (version != VERSION_CURRENT) {
        throw new IOException(
            source
                + ": manifest version "
                + version
                + " not supported (this build reads "
                + VERSION_CURRENT
                + ")");
      }
      in.readUnsignedShort();
      long next = in.readLong();
      long walStart = in.readLong();
      long maxTs = in.readLong();
      int count = in.readInt();
      if (count < 0 || count > (bytes.length / 8)) {
        throw new IOException(source + ": manifest table count " + count + " out of range");
      }
      List<Long> gens = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        gens.add(in.readLong());
      }
      if (in.available() != 0) {
        throw new IOException(source + ": trailing bytes in manifest");
      }
      return new ManifestState(next, walStart, maxTs, gens);
    }
  }
}
