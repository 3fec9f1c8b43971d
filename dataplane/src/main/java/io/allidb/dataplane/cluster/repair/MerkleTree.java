package io.allidb.dataplane.cluster.repair;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import io.allidb.dataplane.cluster.ring.TokenRange;
import io.allidb.dataplane.storage.row.Row;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A Merkle tree over the rows of one token range: the range is cut into {@code 2^depth} leaves of
 * equal token width, each leaf holds the XOR of the digests of the rows whose token falls in it
 * (and their count), and each inner node hashes its two children. Two replicas whose roots match
 * hold the same rows in the range; where they differ, descending the two trees finds the leaves
 * (token subranges) to exchange.
 *
 * <p>Why leaves by token width and XOR: the original's trees had one leaf per key, so one missing
 * key shifted every later leaf and marked most of the range divergent (ALLIDB_SPEC §5.6). Fixed
 * token buckets make leaf {@code i} mean the same subrange on every replica, and XOR makes a leaf
 * independent of the order rows are visited in (storage is in key order, not token order), as in
 * Cassandra's validation trees.
 *
 * <p>A row's digest covers its key, timestamp, tombstone flag, expiry and value: everything
 * last-write-wins compares, so tombstones are repaired like any row. Built with {@link #add}, then
 * read-only; not thread-safe while building.
 */
public final class MerkleTree {
  /** Deepest tree accepted (65536 leaves, 1 MiB serialized). */
  public static final int MAX_DEPTH = 16;

  private final TokenRange range;
  private final int depth;
  private final long[] leafHashes;
  private final long[] leafCounts;
  private final long[] boundaries; // offsets from range.start(); leaf i is (b[i], b[i+1]]
  private long[] inner; // heap order, computed on first use

  /** An empty tree (no rows) over {@code range}. */
  public MerkleTree(TokenRange range, int depth) {
    this(range, depth, new long[1 << checkDepth(depth)], new long[1 << depth]);
  }

  MerkleTree(TokenRange range, int depth, long[] leafHashes, long[] leafCounts) {
    checkDepth(depth);
    if (leafHashes.length != 1 << depth || leafCounts.length != 1 << depth) {
      throw new IllegalArgumentException(
          "a tree of depth "
              + depth
              + " has "
              + (1 << depth)
              + " leaves; got "
              + leafHashes.length);
    }
    this.range = range;
    this.depth = depth;
    this.leafHashes = leafHashes;
    this.leafCounts = leafCounts;
    this.boundaries = boundaries(range, depth);
  }

  static int checkDepth(int depth) {
    if (depth < 1 || depth > MAX_DEPTH) {
      throw new IllegalArgumentException("depth must be in [1, " + MAX_DEPTH + "]; got " + depth);
    }
    return depth;
  }

  /**
   * Leaf boundaries as unsigned offsets from the range start: {@code b[i] = floor(width * i / n)}.
   * The whole ring (start == end) has width 2^64, which does not fit a long; its steps are exact.
   */
  private static long[] boundaries(TokenRange range, int depth) {
    int n = 1 << depth;
    var b = new long[n + 1];
    boolean full = range.start() == range.end();
    long width = range.end() - range.start(); // unsigned; 0 for the full ring
    for (int i = 0; i <= n; i++) {
      if (full) {
        b[i] = i == n ? -1L : (long) i << (64 - depth); // -1 = 2^64 - 1: the last offset
      } else {
        // floor(width * i / n) without overflow: n is a power of two
        long high = (width >>> depth) * i;
        long low = ((width & (n - 1)) * i) >>> depth;
        b[i] = high + low;
      }
    }
    return b;
  }

  public TokenRange range() {
    return range;
  }

  public int depth() {
    return depth;
  }

  public int leafCount() {
    return leafHashes.length;
  }

  /** The leaf of a token in the range. */
  public int leafOf(long token) {
    long off = token - range.start();
    if (off == 0) {
      return leafHashes.length - 1; // only the full ring holds its own start (2^64 = 0)
    }
    // the largest i with b[i] < off (unsigned)
    int lo = 0;
    int hi = leafHashes.length - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (Long.compareUnsigned(boundaries[mid], off) < 0) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  /** The token subrange of leaf {@code i}: {@code (start + b[i], start + b[i+1]]}. */
  public TokenRange leafRange(int i) {
    long s = range.start() + boundaries[i];
    long e = i == leafHashes.length - 1 ? range.end() : range.start() + boundaries[i + 1];
    return new TokenRange(s, e);
  }

  /** Adds one row whose token is {@code token} (which must lie in the range). */
  public void add(long token, Row row) {
    int leaf = leafOf(token);
    leafHashes[leaf] ^= digest(row);
    leafCounts[leaf]++;
    inner = null;
  }

  /** The digest of one row as stored: key, timestamp, tombstone, expiry and value. */
  public static long digest(Row r) {
    Hasher h = Hashing.murmur3_128().newHasher();
    h.putInt(r.key().tenantBytes().length).putBytes(r.key().tenantBytes());
    h.putInt(r.key().idBytes().length).putBytes(r.key().idBytes());
    h.putLong(r.timestamp()).putBoolean(r.tombstone()).putLong(r.expiresAtMicros());
    h.putBytes(r.value());
    return h.hash().asLong();
  }

  long leafHash(int i) {
    return leafHashes[i];
  }

  long leafRows(int i) {
    return leafCounts[i];
  }

  /** Rows counted in the tree. */
  public long rows() {
    return Arrays.stream(leafCounts).sum();
  }

  /** The root hash. */
  public long root() {
    return inner()[0];
  }

  /** Inner nodes in heap order (node k has children 2k+1, 2k+2; leaves follow the inner nodes). */
  private long[] inner() {
    if (inner == null) {
      int leaves = leafHashes.length;
      var all = new long[2 * leaves - 1];
      for (int i = 0; i < leaves; i++) {
        // the count takes part so an empty leaf and a leaf whose digests XOR to 0 differ
        all[leaves - 1 + i] =
            Hashing.murmur3_128()
                .newHasher()
                .putLong(leafHashes[i])
                .putLong(leafCounts[i])
                .hash()
                .asLong();
      }
      for (int k = leaves - 2; k >= 0; k--) {
        all[k] =
            Hashing.murmur3_128()
                .newHasher()
                .putLong(all[2 * k + 1])
                .putLong(all[2 * k + 2])
                .hash()
                .asLong();
      }
      inner = all;
    }
    return inner;
  }

  /**
   * The leaves where this tree and {@code other} differ, found by descending from the root only
   * into differing subtrees.
   *
   * @throws IllegalArgumentException when the trees cover different ranges or depths
   */
  public List<Integer> difference(MerkleTree other) {
    if (!range.equals(other.range) || depth != other.depth) {
      throw new IllegalArgumentException(
          "cannot compare a tree of "
              + range
              + " at depth "
              + depth
              + " with one of "
              + other.range
              + " at depth "
              + other.depth);
    }
    long[] a = inner();
    long[] b = other.inner();
    var out = new ArrayList<Integer>();
    int leaves = leafHashes.length;
    var stack = new ArrayList<Integer>();
    stack.add(0);
    while (!stack.isEmpty()) {
      int k = stack.remove(stack.size() - 1);
      if (a[k] == b[k]) {
        continue;
      }
      if (k >= leaves - 1) {
        out.add(k - (leaves - 1));
      } else {
        stack.add(2 * k + 2);
        stack.add(2 * k + 1);
      }
    }
    out.sort(Integer::compare);
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MerkleTree t
        && range.equals(t.range)
        && depth == t.depth
        && Arrays.equals(leafHashes, t.leafHashes)
        && Arrays.equals(leafCounts, t.leafCounts);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(root());
  }

  @Override
  public String toString() {
    return "MerkleTree{" + range + ", depth=" + depth + ", rows=" + rows() + "}";
  }
}
