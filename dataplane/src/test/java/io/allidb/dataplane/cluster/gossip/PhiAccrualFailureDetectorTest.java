package io.allidb.dataplane.cluster.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PhiAccrualFailureDetectorTest {
  private static final long SECOND = 1_000_000_000L;

  private final PhiAccrualFailureDetector detector =
      new PhiAccrualFailureDetector(
          Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofMillis(200), 200);

  @Test
  void anUnknownPeerHasPhiZero() {
    assertThat(detector.phi("x", 123)).isZero();
  }

  @Test
  void phiGrowsWithSilenceAndCrossesEightWithinTenSecondsOfRegularHeartbeats() {
    long t = 0;
    for (int i = 0; i < 30; i++) {
      t += SECOND;
      detector.heartbeat("x", t);
    }
    assertThat(detector.phi("x", t + SECOND)).isLessThan(1);
    assertThat(detector.phi("x", t + 4 * SECOND)).isLessThan(8);
    assertThat(detector.phi("x", t + 10 * SECOND)).isGreaterThan(8);
    double previous = 0;
    for (long ms = 0; ms <= 10_000; ms += 250) {
      double phi = detector.phi("x", t + ms * 1_000_000);
      assertThat(phi).isGreaterThanOrEqualTo(previous);
      previous = phi;
    }
  }

  @Test
  void oneHeartbeatIsEnoughToJudgeThroughTheBootstrapEstimate() {
    detector.heartbeat("x", 0);
    assertThat(detector.phi("x", SECOND)).isLessThan(1);
    assertThat(detector.phi("x", 10 * SECOND)).isGreaterThan(8);
  }

  @Test
  void irregularHeartbeatsWidenTheTolerance() {
    var irregular =
        new PhiAccrualFailureDetector(
            Duration.ofSeconds(1), Duration.ZERO, Duration.ofMillis(10), 200);
    var regular =
        new PhiAccrualFailureDetector(
            Duration.ofSeconds(1), Duration.ZERO, Duration.ofMillis(10), 200);
    long a = 0;
    long b = 0;
    for (int i = 0; i < 100; i++) {
      a += (i % 2 == 0 ? 200 : 1800) * 1_000_000L;
      b += SECOND;
      irregular.heartbeat("x", a);
      regular.heartbeat("x", b);
    }
    assertThat(irregular.phi("x", a + 2 * SECOND)).isLessThan(regular.phi("x", b + 2 * SECOND));
  }

  @Test
  void removingForgetsTheHistory() {
    detector.heartbeat("x", 0);
    detector.remove("x");
    assertThat(detector.phi("x", 100 * SECOND)).isZero();
  }
}
