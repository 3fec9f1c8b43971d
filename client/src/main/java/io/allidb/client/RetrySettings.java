package io.allidb.client;

import java.time.Duration;

/**
 * How idempotent calls are retried after {@code UNAVAILABLE}: up to {@code maxAttempts} attempts in
 * all, the n-th retry after a random delay in [0, min(initialBackoff * multiplier^(n-1),
 * maxBackoff)] (gRPC's retry policy, which the channel runs). Idempotent calls also wait for a
 * connection (gRPC "wait for ready") instead of failing while no node is reachable; both end at the
 * call's deadline. Non-idempotent calls are never retried; see {@link AlliClient}.
 *
 * @param maxAttempts attempts including the first, 1 (no retry) to 10
 * @param initialBackoff upper bound of the first retry's delay
 * @param maxBackoff upper bound of any retry's delay
 * @param multiplier growth of the bound per retry, at least 1
 */
public record RetrySettings(
    int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier) {
  public RetrySettings {
    if (maxAttempts < 1 || maxAttempts > 10) {
      throw new IllegalArgumentException("maxAttempts must be in 1..10; got " + maxAttempts);
    }
    if (initialBackoff.toMillis() < 1 || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "need 1 ms <= initialBackoff <= maxBackoff; got "
              + initialBackoff
              + " and "
              + maxBackoff);
    }
    if (!(multiplier >= 1)) {
      throw new IllegalArgumentException("multiplier must be >= 1; got " + multiplier);
    }
  }

  /** 5 attempts, 100 ms doubling up to 5 s. */
  public static RetrySettings defaults() {
    return new RetrySettings(5, Duration.ofMillis(100), Duration.ofSeconds(5), 2.0);
  }

  /** A single attempt: nothing is retried, idempotent calls still wait for a connection. */
  public static RetrySettings none() {
    return new RetrySettings(1, Duration.ofMillis(100), Duration.ofMillis(100), 1.0);
  }
}
