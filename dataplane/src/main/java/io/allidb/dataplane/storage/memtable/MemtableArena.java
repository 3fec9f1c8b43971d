package io.allidb.dataplane.storage.memtable;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bump allocator that copies memtable values into large shared slabs.
 *
 * <p>Why: a memtable's values live from their write until the flush, seconds to minutes. As
 * individual {@code byte[]}s they survive several young collections and the collector copies every
 * one of them each time: with 64 MiB memtables that meant young pauses of 100-400 ms. Slabs the
 * size of a G1 region are humongous objects, which G1 allocates straight in the old generation,
 * never copies them, and reclaims them eagerly once the flushed memtable is dropped (the same idea
 * as Cassandra's slab allocator). A slab is sized to fill one G1 region. Values larger than a
 * quarter slab get an array of their own.
 *
 * <p>Overwritten values are not reclaimed until the whole memtable goes; {@link #bytes()} counts
 * every allocated byte so the flush decision sees the waste. Thread-safe and lock-free except when
 * a slab fills up.
 */
final class MemtableArena {
  static final int SLAB_BYTES = slabBytes();
  private static final int MAX_SLABBED_VALUE = SLAB_BYTES / 4;

  /**
   * One G1 region minus the array header, so a slab fills its humongous region exactly (a 1 MiB
   * slab in a 2 MiB region would waste half of it); 1 MiB when the region size is unknown.
   */
  private static int slabBytes() {
    try {
      var hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      long region = Long.parseLong(hotspot.getVMOption("G1HeapRegionSize").getValue());
      if (region >= (1 << 20) && region <= (32 << 20)) {
        return (int) region - 64;
      }
    } catch (RuntimeException e) {
      // not HotSpot, or not G1: the fallback below is fine for any collector
    }
    return 1 << 20;
  }

  private volatile Slab current = new Slab();
  private final AtomicLong bytes = new AtomicLong();

  /** A value copied into the arena. */
  record Slice(byte[] array, int offset, int length) {
    static final Slice EMPTY = new Slice(new byte[0], 0, 0);

    byte[] toArray() {
      byte[] out = new byte[length];
      System.arraycopy(array, offset, out, 0, length);
      return out;
    }
  }

  Slice copy(byte[] value) {
    if (value.length == 0) {
      return Slice.EMPTY;
    }
    bytes.addAndGet(value.length);
    if (value.length > MAX_SLABBED_VALUE) {
      return new Slice(value.clone(), 0, value.length);
    }
    while (true) {
      Slab slab = current;
      int offset = slab.reserve(value.length);
      if (offset >= 0) {
        System.arraycopy(value, 0, slab.data, offset, value.length);
        return new Slice(slab.data, offset, value.length);
      }
      synchronized (this) {
        if (current == slab) {
          current = new Slab();
        }
      }
    }
  }

  /** Bytes handed out, including values since overwritten. */
  long bytes() {
    return bytes.get();
  }

  private static final class Slab {
    final byte[] data = new byte[SLAB_BYTES];
    final AtomicInteger next = new AtomicInteger();

    /** Start offset of a reserved region, or -1 when the slab is full. */
    int reserve(int length) {
      while (true) {
        int start = next.get();
        if (start + length > data.length) {
          return -1;
        }
        if (next.compareAndSet(start, start + length)) {
          return start;
        }
      }
    }
  }
}
