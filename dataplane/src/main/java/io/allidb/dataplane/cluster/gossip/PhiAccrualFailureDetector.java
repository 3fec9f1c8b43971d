package io.allidb.dataplane.cluster.gossip;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The phi accrual failure detector (Hayashibara et al., "The phi accrual failure detector", SRDS
 * 2004), in the form Akka uses: the inter-arrival times of a peer's heartbeats are modelled as a
 * normal distribution, and {@code phi = -log10(P(a heartbeat arrives later than now))}. A peer is
 * suspected when phi exceeds a threshold: 8 means roughly a 1 in 10^8 chance that a live peer is
 * declared dead under the observed distribution.
 *
 * <p>Here a "heartbeat" is any newer heartbeat version of the peer reaching this node through
 * gossip, first- or second-hand, so the intervals include gossip's spread, not only the peer's own
 * interval.
 *
 * <ul>
 *   <li><b>Window</b>: the last {@code maxSamples} intervals (200 by default, about three minutes
 *       at a one-second interval): long enough to be stable, short enough to follow a change of
 *       load.
 *   <li><b>Bootstrap</b>: the first heartbeat seeds the window with two samples, {@code expected +-
 *       expected/4}, so phi is meaningful before real intervals exist.
 *   <li><b>Acceptable pause</b> is added to the mean (a GC pause or a slow round is not a death);
 *       the standard deviation never falls below {@code minStdDeviation} (a perfectly regular
 *       history would otherwise convict on the first late heartbeat).
 * </ul>
 *
 * <p>With a one-second gossip interval and the defaults (pause 3 s, minimum deviation 200 ms) a
 * peer that stops is convicted after about 5-7 s. A peer convicted and heard from again starts a
 * new history (see {@link #remove}), so the silence does not inflate its intervals.
 *
 * <p>Thread-safe: each peer's history is updated under its own lock.
 */
public final class PhiAccrualFailureDetector {
  private final long expectedIntervalNanos;
  private final long acceptablePauseNanos;
  private final long minStdDeviationNanos;
  private final int maxSamples;
  private final Map<String, History> histories = new ConcurrentHashMap<>();

  public PhiAccrualFailureDetector(
      Duration expectedInterval,
      Duration acceptablePause,
      Duration minStdDeviation,
      int maxSamples) {
    if (maxSamples < 2) {
      throw new IllegalArgumentException("maxSamples must be >= 2; got " + maxSamples);
    }
    this.expectedIntervalNanos = expectedInterval.toNanos();
    this.acceptablePauseNanos = acceptablePause.toNanos();
    this.minStdDeviationNanos = Math.max(1, minStdDeviation.toNanos());
    this.maxSamples = maxSamples;
  }

  /**
   * Records a heartbeat of {@code hostId} arriving at {@code nowNanos} ({@link System#nanoTime}).
   */
  public void heartbeat(String hostId, long nowNanos) {
    histories.computeIfAbsent(hostId, h -> new History()).add(nowNanos);
  }

  /**
   * Forgets the peer's history (it left, or restarted, or is heard from again after a conviction).
   */
  public void remove(String hostId) {
    histories.remove(hostId);
  }

  /** Phi of the peer now; 0 when nothing was heard from it yet. */
  public double phi(String hostId, long nowNanos) {
    History h = histories.get(hostId);
    return h == null ? 0.0 : h.phi(nowNanos);
  }

  private final class History {
    private final ArrayDeque<Long> intervals = new ArrayDeque<>();
    private long last = -1;
    private double sum;
    private double sumOfSquares;

    synchronized void add(long now) {
      if (last < 0) {
        long e = expectedIntervalNanos;
        push(e - e / 4);
        push(e + e / 4);
      } else {
        push(now - last);
      }
      last = now;
    }

    private void push(long interval) {
      if (intervals.size() == maxSamples) {
        long old = intervals.removeFirst();
        sum -= old;
        sumOfSquares -= (double) old * old;
      }
      intervals.addLast(interval);
      sum += interval;
      sumOfSquares += (double) interval * interval;
    }

    synchronized double phi(long now) {
      int n = intervals.size();
      double mean = sum / n;
      double variance = Math.max(0, sumOfSquares / n - mean * mean);
      double std = Math.max(Math.sqrt(variance), minStdDeviationNanos);
      return PhiAccrualFailureDetector.phi(now - last, mean + acceptablePauseNanos, std);
    }
  }

  /**
   * -log10 of the normal tail beyond {@code elapsed}, with the logistic approximation of the normal
   * CDF Akka uses (error below 0.02%; it avoids erf and stays finite far into the tail).
   */
  static double phi(double elapsed, double mean, double std) {
    double y = (elapsed - mean) / std;
    double e = Math.exp(-y * (1.5976 + 0.070566 * y * y));
    if (elapsed > mean) {
      return -Math.log10(e / (1.0 + e));
    }
    return -Math.log10(1.0 - 1.0 / (1.0 + e));
  }
}
