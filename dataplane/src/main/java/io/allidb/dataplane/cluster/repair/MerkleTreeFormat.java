package io.allidb.dataplane.cluster.repair;

import io.allidb.dataplane.cluster.ring.TokenRange;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The binary layout of a {@link MerkleTree}, format version 1: how replicas send their trees to the
 * node running a repair ({@code MerkleTree} internode RPC) and how a tree would be kept on disk.
 * Stateless; thread-safe.
 *
 * <pre>
 *   u32  magic        0x414C4D54 ("ALMT")
 *   u16  version      1
 *   u8   depth        1..{@link MerkleTree#MAX_DEPTH}; leaves n = 2^depth
 *   u8   reserved     0
 *   i64  rangeStart   exclusive start token of the range
 *   i64  rangeEnd     inclusive end token (start == end: the whole ring)
 *   n x  leaf
 *          i64  hash    XOR of the digests of the leaf's rows ({@link MerkleTree#digest})
 *          i64  rows    number of rows in the leaf
 *   u32  crc          CRC32C of every preceding byte
 * </pre>
 *
 * <p>All integers are big-endian. Inner nodes are not stored: they are recomputed from the leaves
 * (murmur3 of the two children), so a stored tree can never disagree with itself. Leaf {@code i}
 * covers the tokens {@code (start + floor(w*i/n), start + floor(w*(i+1)/n)]} where {@code w} is the
 * range's unsigned width (2^64 for the whole ring). A wrong magic, an unknown version, a length
 * that does not match the depth or a CRC mismatch is reported as {@link IllegalArgumentException}
 * naming what is wrong; a damaged tree is never compared.
 */
public final class MerkleTreeFormat {
  /** "ALMT" in ASCII. */
  public static final int MAGIC = 0x414C4D54;

  public static final short VERSION = 1;
  static final int HEADER_BYTES = 4 + 2 + 1 + 1 + 8 + 8;

  private MerkleTreeFormat() {}

  /** Serialized size of a tree of {@code depth}. */
  public static int size(int depth) {
    return HEADER_BYTES + (16 << MerkleTree.checkDepth(depth)) + 4;
  }

  public static byte[] encode(MerkleTree tree) {
    int n = tree.leafCount();
    var buf = ByteBuffer.allocate(size(tree.depth()));
    buf.putInt(MAGIC).putShort(VERSION).put((byte) tree.depth()).put((byte) 0);
    buf.putLong(tree.range().start()).putLong(tree.range().end());
    for (int i = 0; i < n; i++) {
      buf.putLong(tree.leafHash(i)).putLong(tree.leafRows(i));
    }
    var crc = new CRC32C();
    crc.update(buf.array(), 0, buf.position());
    buf.putInt((int) crc.getValue());
    return buf.array();
  }

  /**
   * @throws IllegalArgumentException when the bytes are not a valid version-1 tree
   */
  public static MerkleTree decode(byte[] bytes) {
    if (bytes.length < HEADER_BYTES + 4) {
      throw new IllegalArgumentException("Merkle tree too short: " + bytes.length + " bytes");
    }
    var buf = ByteBuffer.wrap(bytes);
    try {
      int magic = buf.getInt();
      if (magic != MAGIC) {
        throw new IllegalArgumentException(
            "not a Merkle tree: magic 0x" + Integer.toHexString(magic));
      }
      short version = buf.getShort();
      if (version != VERSION) {
        throw new IllegalArgumentException(
            "unsupported Merkle tree version " + version + " (this node reads " + VERSION + ")");
      }
      int depth = buf.get();
      buf.get();
      if (depth < 1 || depth > MerkleTree.MAX_DEPTH || bytes.length != size(depth)) {
        throw new IllegalArgumentException(
            "Merkle tree of depth " + depth + " cannot be " + bytes.length + " bytes long");
      }
      var crc = new CRC32C();
      crc.update(bytes, 0, bytes.length - 4);
      int stored = ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt();
      if (stored != (int) crc.getValue()) {
        throw new IllegalArgumentException(
            "Merkle tree checksum mismatch: stored 0x"
                + Integer.toHexString(stored)
                + ", computed 0x"
                + Long.toHexString(crc.getValue()));
      }
      var range = new TokenRange(buf.getLong(), buf.getLong());
      int n = 1 << depth;
      var hashes = new long[n];
      var counts = new long[n];
      for (int i = 0; i < n; i++) {
        hashes[i] = buf.getLong();
        counts[i] = buf.getLong();
      }
      return new MerkleTree(range, depth, hashes, counts);
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("Merkle tree truncated");
    }
  }
}
