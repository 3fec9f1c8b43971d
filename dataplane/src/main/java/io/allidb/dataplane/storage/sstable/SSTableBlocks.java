package io.allidb.dataplane.storage.sstable;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * Positional reads of checksummed SSTable blocks: verifies the CRC32C before anything in a block is
 * interpreted, then undoes the framing (and, for data blocks, the compression).
 *
 * <p>Stateless; thread-safe (positional reads share no channel position).
 */
final class SSTableBlocks {
  // Pure Java for the same reason as the writer: no pinned arrays during garbage collection.
  private static final LZ4SafeDecompressor LZ4 =
      LZ4Factory.fastestJavaInstance().safeDecompressor();

  private SSTableBlocks() {}

  /** Reads a data block and returns its uncompressed rows region. */
  static ByteBuffer readDataBlock(FileChannel ch, Path file, long offset, int length)
      throws IOException {
    byte[] b = readFully(ch, file, offset, length);
    int crcAt = length - SSTableFormat.CRC_BYTES;
    if (ByteBuffer.wrap(b).getInt(crcAt) != SSTableFormat.crc32c(b, 0, crcAt)) {
      throw new CorruptSSTableException(file, offset, "block CRC mismatch");
    }
    var header = ByteBuffer.wrap(b);
    byte compression = header.get();
    int uncompressed = header.getInt();
    int stored = header.getInt();
    int start = SSTableFormat.BLOCK_HEADER_BYTES;
    if (stored != crcAt - start) {
      throw new CorruptSSTableException(
          file, offset, "block stored length " + stored + " does not match its extent");
    }
    if (compression == SSTableFormat.COMPRESSION_NONE && uncompressed == stored) {
      return ByteBuffer.wrap(b, start, stored);
    }
    // LZ4's maximum ratio (255) bounds the allocation before the length is trusted.
    if (compression == SSTableFormat.COMPRESSION_LZ4
        && uncompressed >= 0
        && uncompressed <= 255L * stored + 16) {
      byte[] data = new byte[uncompressed];
      try {
        int n = LZ4.decompress(b, start, stored, data, 0, uncompressed);
        if (n != uncompressed) {
          throw new LZ4Exception(n + " bytes decompressed, " + uncompressed + " expected");
        }
      } catch (LZ4Exception e) {
        throw new CorruptSSTableException(file, offset, "block does not decompress: " + e, e);
      }
      return ByteBuffer.wrap(data);
    }
    throw new CorruptSSTableException(
        file,
        offset,
        "bad block header: compression "
            + compression
            + ", lengths "
            + uncompressed
            + "/"
            + stored);
  }

  /** Reads a metadata block and returns its body, without the CRC. */
  static ByteBuffer readMetaBlock(FileChannel ch, Path file, long offset, int length, String what)
      throws IOException {
    byte[] b = readFully(ch, file, offset, length);
    int crcAt = length - SSTableFormat.CRC_BYTES;
    if (ByteBuffer.wrap(b).getInt(crcAt) != SSTableFormat.crc32c(b, 0, crcAt)) {
      throw new CorruptSSTableException(file, offset, what + " block CRC mismatch");
    }
    return ByteBuffer.wrap(b, 0, crcAt).slice();
  }

  /** Reads exactly {@code length} bytes at {@code offset}; a short file is corruption. */
  static byte[] readFully(FileChannel ch, Path file, long offset, int length) throws IOException {
    byte[] bytes = new byte[length];
    var buf = ByteBuffer.wrap(bytes);
    while (buf.hasRemaining()) {
      if (ch.read(buf, offset + buf.position()) < 0) {
        throw new CorruptSSTableException(
            file, offset, "file ends inside a " + length + "-byte block (truncated)");
      }
    }
    return bytes;
  }
}
