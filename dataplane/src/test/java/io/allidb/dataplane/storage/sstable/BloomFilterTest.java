package io.allidb.dataplane.storage.sstable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.allidb.dataplane.storage.row.RowKey;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class BloomFilterTest {

  private static RowKey key(int i) {
    return RowKey.of("tenant-" + (i % 7), "id-" + i);
  }

  @Test
  void addedKeysAreNeverReportedAbsent() {
    var bloom = BloomFilter.create(100_000, 10);
    for (int i = 0; i < 100_000; i++) {
      bloom.add(key(i));
    }
    for (int i = 0; i < 100_000; i++) {
      assertThat(bloom.mightContain(key(i))).as("key %d", i).isTrue();
    }
  }

  @Test
  void falsePositiveRateAtTenBitsPerKeyIsBelowTwoPercent() {
    var bloom = BloomFilter.create(100_000, 10);
    for (int i = 0; i < 100_000; i++) {
      bloom.add(key(i));
    }
    int falsePositives = 0;
    int probes = 100_000;
    for (int i = 100_000; i < 100_000 + probes; i++) {
      if (bloom.mightContain(key(i))) {
        falsePositives++;
      }
    }
    double rate = (double) falsePositives / probes;
    System.out.println("bloom false positive rate at 10 bits/key: " + rate);
    assertThat(rate).isLessThan(0.02);
  }

  @Test
  void emptyFilterReportsEveryKeyAbsent() {
    var bloom = BloomFilter.create(1000, 10);
    for (int i = 0; i < 1000; i++) {
      assertThat(bloom.mightContain(key(i))).isFalse();
    }
  }

  @Test
  void keysSplitDifferentlyBetweenTenantAndIdAreDistinct() {
    var bloom = BloomFilter.create(10, 20);
    bloom.add(RowKey.of("ab", "c"));
    assertThat(bloom.mightContain(RowKey.of("a", "bc"))).isFalse();
  }

  @Test
  void hashCountFollowsBitsPerKey() {
    assertThat(BloomFilter.create(100, 10).hashCount()).isEqualTo(7);
    assertThat(BloomFilter.create(100, 1).hashCount()).isEqualTo(1);
    assertThat(BloomFilter.create(100, 10).bitCount()).isGreaterThanOrEqualTo(1000);
  }

  @Test
  void deserializedFilterAnswersLikeTheOriginal() throws IOException {
    var bloom = BloomFilter.create(5000, 8);
    for (int i = 0; i < 5000; i++) {
      bloom.add(key(i));
    }
    var bytes = new ByteArrayOutputStream();
    try (var out = new DataOutputStream(bytes)) {
      bloom.serialize(out);
    }
    assertThat((long) bytes.size()).isEqualTo(bloom.serializedBytes());
    var copy = BloomFilter.deserialize(ByteBuffer.wrap(bytes.toByteArray()));
    assertThat(copy.hashCount()).isEqualTo(bloom.hashCount());
    assertThat(copy.bitCount()).isEqualTo(bloom.bitCount());
    for (int i = 0; i < 20_000; i++) {
      assertThat(copy.mightContain(key(i))).isEqualTo(bloom.mightContain(key(i)));
    }
  }

  @Test
  void deserializeRejectsInconsistentParameters() throws IOException {
    var bloom = BloomFilter.create(100, 10);
    var bytes = new ByteArrayOutputStream();
    try (var out = new DataOutputStream(bytes)) {
      bloom.serialize(out);
    }
    byte[] b = bytes.toByteArray();
    byte[] zeroHashes = b.clone();
    zeroHashes[0] = 0;
    assertThatThrownBy(() -> BloomFilter.deserialize(ByteBuffer.wrap(zeroHashes)))
        .isInstanceOf(IllegalArgumentException.class);
    byte[] shortened = java.util.Arrays.copyOf(b, b.length - 8);
    assertThatThrownBy(() -> BloomFilter.deserialize(ByteBuffer.wrap(shortened)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("word count");
  }
}
