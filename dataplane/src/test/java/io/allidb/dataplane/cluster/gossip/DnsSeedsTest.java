package io.allidb.dataplane.cluster.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DnsSeedsTest {

  @Test
  void resolvesEveryAddressAndFollowsChanges() throws Exception {
    var answer =
        new java.util.concurrent.atomic.AtomicReference<InetAddress[]>(
            new InetAddress[] {
              InetAddress.getByAddress(new byte[] {10, 0, 0, 2}),
              InetAddress.getByAddress(new byte[] {10, 0, 0, 1}),
            });
    try (var seeds =
        new DnsSeeds("allidb-seeds", 7100, Duration.ofMillis(20), name -> answer.get())) {
      assertThat(seeds.seeds()).containsExactly("10.0.0.1:7100", "10.0.0.2:7100");
      answer.set(
          new InetAddress[] {
            InetAddress.getByName("::1"), InetAddress.getByAddress(new byte[] {10, 0, 0, 3})
          });
      await().atMost(Duration.ofSeconds(5)).until(() -> seeds.seeds().contains("10.0.0.3:7100"));
      assertThat(seeds.seeds())
          .containsExactlyInAnyOrder("10.0.0.3:7100", "[0:0:0:0:0:0:0:1]:7100");
    }
  }

  @Test
  void aFailedLookupKeepsTheLastAnswer() throws Exception {
    var fail = new java.util.concurrent.atomic.AtomicBoolean();
    var calls = new java.util.concurrent.atomic.AtomicInteger();
    InetAddress one = InetAddress.getByAddress(new byte[] {10, 0, 0, 1});
    try (var seeds =
        new DnsSeeds(
            "allidb-seeds",
            7100,
            Duration.ofMillis(20),
            name -> {
              calls.incrementAndGet();
              if (fail.get()) {
                throw new UnknownHostException(name);
              }
              return new InetAddress[] {one};
            })) {
      fail.set(true);
      int seen = calls.get();
      await().atMost(Duration.ofSeconds(5)).until(() -> calls.get() > seen + 1);
      assertThat(seeds.seeds()).containsExactly("10.0.0.1:7100");
    }
  }

  @Test
  void resolvesARealName() {
    try (var seeds = DnsSeeds.of("localhost", 7100)) {
      assertThat(seeds.seeds()).isNotEmpty().allMatch(s -> s.endsWith(":7100"));
    }
  }
}
