package io.allidb.operator.sim;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * Simulated wall time for a whole {@link SimulatedCluster}: the system clock plus a shift the test
 * moves forward, so "a day later" takes no real time. Unlike {@code TestingClock} it keeps ticking:
 * the nodes read it too (key and certificate expiry, write timestamps, read deadlines), and a node
 * whose clock stood still would never time anything out. One instance shared by the operator and
 * every node is what NTP gives a real cluster: one time for all. Thread-safe.
 */
public final class ShiftedClock extends Clock {
  private volatile Duration shift = Duration.ZERO;

  /** Moves time forward by {@code d} for every reader at once. */
  public synchronized void advance(Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException("time only moves forward; got " + d);
    }
    shift = shift.plus(d);
  }

  @Override
  public Instant instant() {
    return Instant.now().plus(shift);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
