package io.allidb.dataplane.cluster.ring;

/**
 * A range of ring tokens, open at the start and closed at the end: {@code (start, end]}. It wraps
 * around when {@code start >= end}; {@code start == end} is the whole ring (a ring of one token).
 *
 * @param start exclusive start token
 * @param end inclusive end token
 */
public record TokenRange(long start, long end) {

  /** The whole ring. */
  public static TokenRange fullRing() {
    return new TokenRange(Long.MIN_VALUE, Long.MIN_VALUE);
  }

  /** Whether the range holds {@code token}. */
  public boolean contains(long token) {
    if (start == end) {
      return true;
    }
    if (start < end) {
      return token > start && token <= end;
    }
    return token > start || token <= end; // wraps past Long.MAX_VALUE
  }

  /** The fraction of the ring (0..1] this range covers. */
  public double fraction() {
    if (start == end) {
      return 1.0;
    }
    // unsigned width of (start, end] in a 2^64 ring
    double width = unsignedToDouble(end - start);
    return width / 18446744073709551616.0;
  }

  private static double unsignedToDouble(long v) {
    double d = (double) (v >>> 1) * 2.0;
    return d + (v & 1);
  }

  @Override
  public String toString() {
    return "(" + start + ", " + end + "]";
  }
}
