package io.allidb.operator.ring;

/**
 * A range {@code (start, end]} of the Murmur3 ring, as the admin API's {@code TokenRange}; {@code
 * start == end} is the whole ring.
 */
public record TokenRange(long start, long end) {
  @Override
  public String toString() {
    return "(" + start + "," + end + "]";
  }
}
