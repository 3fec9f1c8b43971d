package io.allidb.dataplane.index.vector;

import io.github.jbellis.jvector.graph.RandomAccessVectorValues;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The vectors of one tenant graph by jvector ordinal, with the entity each belongs to.
 *
 * <p>Storage is a list of fixed-size chunks that only grows, so a reader never sees a slot move.
 * jvector reads vectors through this class while building and searching ({@link
 * RandomAccessVectorValues}); values are never shared or mutated, so one instance serves every
 * thread. Thread-safe.
 */
final class VectorStore implements RandomAccessVectorValues {
  private static final int CHUNK_BITS = 12;
  private static final int CHUNK_SIZE = 1 << CHUNK_BITS;
  private static final int CHUNK_MASK = CHUNK_SIZE - 1;

  /**
   * What an ordinal holds: the entity and its vector, as jvector reads it and as the plain array it
   * wraps (the query executor scores candidates from it without a storage read).
   */
  record Slot(String entityId, VectorFloat<?> vector, float[] values) {}

  private final int dimension;
  private final Object growLock = new Object();
  private volatile AtomicReferenceArray<Slot>[] chunks = newChunks(0);

  VectorStore(int dimension) {
    this.dimension = dimension;
  }

  @SuppressWarnings("unchecked")
  private static AtomicReferenceArray<Slot>[] newChunks(int n) {
    return new AtomicReferenceArray[n];
  }

  void set(int ordinal, Slot slot) {
    int c = ordinal >>> CHUNK_BITS;
    var cs = chunks;
    if (c >= cs.length) {
      synchronized (growLock) {
        cs = chunks;
        if (c >= cs.length) {
          var grown = newChunks(Math.max(c + 1, cs.length * 2));
          System.arraycopy(cs, 0, grown, 0, cs.length);
          for (int i = cs.length; i < grown.length; i++) {
            grown[i] = new AtomicReferenceArray<>(CHUNK_SIZE);
          }
          chunks = grown;
          cs = grown;
        }
      }
    }
    cs[c].set(ordinal & CHUNK_MASK, slot);
  }

  /** The slot of an ordinal, or null when it is unused or was freed. */
  Slot get(int ordinal) {
    var cs = chunks;
    int c = ordinal >>> CHUNK_BITS;
    return ordinal < 0 || c >= cs.length ? null : cs[c].get(ordinal & CHUNK_MASK);
  }

  void free(int ordinal) {
    set(ordinal, null);
  }

  /** An upper bound of the ordinals in use. */
  @Override
  public int size() {
    return chunks.length << CHUNK_BITS;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public VectorFloat<?> getVector(int ordinal) {
    Slot s = get(ordinal);
    if (s == null) {
      throw new IllegalStateException("no vector at ordinal " + ordinal);
    }
    return s.vector();
  }

  @Override
  public boolean isValueShared() {
    return false;
  }

  @Override
  public RandomAccessVectorValues copy() {
    return this;
  }
}
