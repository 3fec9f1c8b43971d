package io.allidb.dataplane.cluster.ring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Pins the token of known keys. A key's token decides which nodes hold its data on disk, so these
 * values must never change: a failure here means existing clusters would look for their data on the
 * wrong replicas. Do not "fix" the expected values; fix the partitioner.
 */
class Murmur3PartitionerTest {

  @ParameterizedTest(name = "token({0}, {1}) = {2}")
  @CsvSource(
      delimiter = '|',
      emptyValue = "",
      value = {
        "t        | a        | -6703873361941930225",
        "tenant   | entity-1 | -7875782550570577703",
        "acme     | doc:42   | 8065376696145371033",
        "''       | ''       | 5048724184180415669",
        "ü        | 日本     | 3176734399192299814",
        "default  | user/7   | 3497972340472764902",
      })
  void tokensOfKnownKeysNeverChange(String tenant, String id, long expected) {
    assertThat(Murmur3Partitioner.token(tenant, id)).isEqualTo(expected);
  }

  @Test
  void tenantAndIdAreSeparatedSoTheirBoundaryMatters() {
    // without the separator byte ("ab","c") and ("a","bc") would hash the same bytes
    assertThat(Murmur3Partitioner.token("ab", "c"))
        .isNotEqualTo(Murmur3Partitioner.token("a", "bc"));
  }

  @Test
  void neverReturnsTheReservedMinimum() {
    for (int i = 0; i < 100_000; i++) {
      assertThat(Murmur3Partitioner.token("t", Integer.toString(i))).isNotEqualTo(Long.MIN_VALUE);
    }
  }
}
