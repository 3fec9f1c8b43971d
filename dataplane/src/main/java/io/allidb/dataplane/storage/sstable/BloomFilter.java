package io.allidb.dataplane.storage.sstable;

import io.allidb.dataplane.storage.row.RowKey;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import net.jpountz.xxhash.XXHash64;
import net.jpountz.xxhash.XXHashFactory;

/**
 * A fixed-size Bloom filter over {@link RowKey}s: "definitely absent" or "maybe present".
 *
 * <p>Each key is hashed once with xxHash64; the k bit positions come from Kirsch-Mitzenmacher
 * double hashing {@code h1 + i * h2}, where h2 is a remix of the same 64-bit hash. That costs one
 * hash per key yet behaves like k independent hashes for filter purposes. With b bits per key the
 * filter uses {@code k = round(b * ln 2)} hashes, giving about 1% false positives at b = 10.
 *
 * <p>Not thread-safe while keys are added; once built (the writer finishes before any reader sees
 * it) concurrent {@link #mightContain} calls are safe.
 */
public final class BloomFilter {
  // The pure-Java xxHash64 (same function, same values as the JNI one): for keys of a few dozen
  // bytes the JNI call's fixed cost dominates, and its critical array regions stall the GC.
  private static final XXHash64 XXHASH = XXHashFactory.fastestJavaInstance().hash64();
  private static final int MAX_HASHES = 30;

  private final long[] words;
  private final long bitCount;
  private final int hashCount;
  private final long seed;

  private BloomFilter(long[] words, int hashCount, long seed) {
    this.words = words;
    this.bitCount = (long) words.length * 64;
    this.hashCount = hashCount;
    this.seed = seed;
  }

  /**
   * An empty filter sized for {@code expectedKeys} keys at {@code bitsPerKey} bits each. Adding
   * more keys than expected keeps it correct but raises the false positive rate.
   */
  public static BloomFilter create(long expectedKeys, int bitsPerKey) {
    if (bitsPerKey < 1 || bitsPerKey > 64) {
      throw new IllegalArgumentException("bitsPerKey must be in [1, 64]; got " + bitsPerKey);
    }
    long bits = Math.max(1, expectedKeys) * bitsPerKey;
    // Capped so the word array stays a Java array (about 16 GiB of bits, far beyond any table).
    long wordCount = Math.min((bits + 63) / 64, Integer.MAX_VALUE - 8);
    int k = (int) Math.max(1, Math.min(MAX_HASHES, Math.round(bitsPerKey * Math.log(2))));
    return new BloomFilter(new long[(int) wordCount], k, SSTableFormat.BLOOM_SEED);
  }

  /** Records a key. */
  public void add(RowKey key) {
    long h1 = hash(key, seed);
    long h2 = remix(h1);
    for (int i = 0; i < hashCount; i++) {
      long bit = Long.remainderUnsigned(h1 + i * h2, bitCount);
      words[(int) (bit >>> 6)] |= 1L << bit;
    }
  }

  /** False when the key was certainly never added; true when it may have been. */
  public boolean mightContain(RowKey key) {
    long h1 = hash(key, seed);
    long h2 = remix(h1);
    for (int i = 0; i < hashCount; i++) {
      long bit = Long.remainderUnsigned(h1 + i * h2, bitCount);
      if ((words[(int) (bit >>> 6)] & (1L << bit)) == 0) {
        return false;
      }
    }
    return true;
  }

  /** Number of hash functions. */
  public int hashCount() {
    return hashCount;
  }

  /** Size of the bit array. */
  public long bitCount() {
    return bitCount;
  }

  /** Serialized size in bytes, without the enclosing block's CRC. */
  public long serializedBytes() {
    return 1 + 8 + 4 + 8L * words.length;
  }

  /** Writes {@code u8 hashCount, u64 seed, u32 wordCount, wordCount x u64}, big-endian. */
  public void serialize(DataOutputStream out) throws IOException {
    out.writeByte(hashCount);
    out.writeLong(seed);
    out.writeInt(words.length);
    for (long w : words) {
      out.writeLong(w);
    }
  }

  /**
   * Reads a filter written by {@link #serialize}; the buffer must hold exactly that.
   *
   * @throws IllegalArgumentException when the parameters are invalid
   */
  public static BloomFilter deserialize(ByteBuffer in) {
    int k = in.get() & 0xFF;
    long seed = in.getLong();
    int wordCount = in.getInt();
    if (k < 1 || k > MAX_HASHES) {
      throw new IllegalArgumentException("bloom hash count " + k + " outside 1.." + MAX_HASHES);
    }
    if (wordCount < 1 || (long) wordCount * 8 != in.remaining()) {
      throw new IllegalArgumentException(
          "bloom word count " + wordCount + " does not match " + in.remaining() + " bytes");
    }
    long[] words = new long[wordCount];
    in.asLongBuffer().get(words);
    return new BloomFilter(words, k, seed);
  }

  private static long hash(RowKey key, long seed) {
    byte[] t = key.tenantBytes();
    byte[] id = key.idBytes();
    // Length-prefixed so ("ab", "c") and ("a", "bc") hash differently.
    byte[] buf = new byte[10 + t.length + id.length];
    int p = putVarint(buf, 0, t.length);
    System.arraycopy(t, 0, buf, p, t.length);
    p += t.length;
    p = putVarint(buf, p, id.length);
    System.arraycopy(id, 0, buf, p, id.length);
    p += id.length;
    return XXHASH.hash(buf, 0, p, seed);
  }

  private static int putVarint(byte[] buf, int pos, int value) {
    while ((value & ~0x7F) != 0) {
      buf[pos++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    buf[pos++] = (byte) value;
    return pos;
  }

  /** Murmur3's 64-bit finalizer: a second, well-mixed hash derived from the first. */
  private static long remix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h | 1; // never 0, which would put all k probes on one bit
  }
}
