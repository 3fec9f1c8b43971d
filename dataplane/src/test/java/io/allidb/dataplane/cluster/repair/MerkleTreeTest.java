package io.allidb.dataplane.cluster.repair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.allidb.dataplane.cluster.ring.Murmur3Partitioner;
import io.allidb.dataplane.cluster.ring.TokenRange;
import io.allidb.dataplane.storage.row.Row;
import io.allidb.dataplane.storage.row.RowKey;
import io.allidb.dataplane.testing.Seeds;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MerkleTreeTest {
  private static final long T = 1_764_000_000_000_000L;

  private static Row row(String id, long ts, String value) {
    return Row.live(RowKey.of("acme", id), ts, value.getBytes(StandardCharsets.UTF_8));
  }

  private static long token(Row r) {
    return Murmur3Partitioner.token(r.key().tenant(), r.key().id());
  }

  @Test
  void leavesPartitionTheRangeAndEveryTokenFindsItsLeaf() {
    long seed = Seeds.seed("MerkleTreeTest");
    var rnd = new Random(seed);
    for (TokenRange range :
        List.of(
            TokenRange.fullRing(),
            new TokenRange(-100, 1L << 40),
            new TokenRange(Long.MAX_VALUE - 1000, Long.MIN_VALUE + 5000))) { // wraps
      var tree = new MerkleTree(range, 6);
      for (int i = 1; i < tree.leafCount(); i++) {
        assertThat(tree.leafRange(i).start()).isEqualTo(tree.leafRange(i - 1).end());
      }
      assertThat(tree.leafRange(0).start()).isEqualTo(range.start());
      assertThat(tree.leafRange(tree.leafCount() - 1).end()).isEqualTo(range.end());
      for (int k = 0; k < 2000; k++) {
        long t = rnd.nextLong();
        if (!range.contains(t)) {
          continue;
        }
        int leaf = tree.leafOf(t);
        assertThat(tree.leafRange(leaf).contains(t)).as("seed %d token %d", seed, t).isTrue();
      }
    }
  }

  @Test
  void differenceFindsExactlyTheLeavesOfDifferingRows() {
    var a = new MerkleTree(TokenRange.fullRing(), 8);
    var b = new MerkleTree(TokenRange.fullRing(), 8);
    for (int i = 0; i < 500; i++) {
      Row r = row("e" + i, T + i, "v" + i);
      a.add(token(r), r);
      b.add(token(r), r);
    }
    assertThat(a.difference(b)).isEmpty();
    assertThat(a.root()).isEqualTo(b.root());

    Row missing = row("only-in-a", T, "x");
    a.add(token(missing), missing);
    Row newer = row("e7", T + 1000, "newer"); // b holds e7 at T+7: a differing version
    var c = new MerkleTree(TokenRange.fullRing(), 8);
    for (int i = 0; i < 500; i++) {
      Row r = i == 7 ? newer : row("e" + i, T + i, "v" + i);
      c.add(token(r), r);
    }
    assertThat(a.difference(b)).containsExactly(a.leafOf(token(missing)));
    assertThat(b.difference(c)).containsExactly(b.leafOf(token(newer)));
    // a tombstone differs from the live row it deletes
    var d = new MerkleTree(TokenRange.fullRing(), 8);
    Row tomb = Row.tombstone(RowKey.of("acme", "e7"), T + 7);
    for (int i = 0; i < 500; i++) {
      Row r = i == 7 ? tomb : row("e" + i, T + i, "v" + i);
      d.add(token(r), r);
    }
    assertThat(b.difference(d)).containsExactly(b.leafOf(token(tomb)));
  }

  @Test
  void formatRoundTripsAndRefusesDamage() {
    var tree = new MerkleTree(new TokenRange(-5, 1L << 50), 5);
    for (int i = 0; i < 100; i++) {
      Row r = row("k" + i, T + i, "v");
      if (tree.range().contains(token(r))) {
        tree.add(token(r), r);
      }
    }
    byte[] bytes = MerkleTreeFormat.encode(tree);
    assertThat(bytes).hasSize(MerkleTreeFormat.size(5));
    assertThat(MerkleTreeFormat.decode(bytes)).isEqualTo(tree);

    byte[] flipped = bytes.clone();
    flipped[40] ^= 1;
    assertThatThrownBy(() -> MerkleTreeFormat.decode(flipped))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("checksum mismatch");
    byte[] wrongMagic = bytes.clone();
    wrongMagic[0] = 'X';
    assertThatThrownBy(() -> MerkleTreeFormat.decode(wrongMagic)).hasMessageContaining("magic");
    byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 3);
    assertThatThrownBy(() -> MerkleTreeFormat.decode(truncated)).hasMessageContaining("cannot be");
    assertThatThrownBy(() -> new MerkleTree(TokenRange.fullRing(), 17))
        .hasMessageContaining("depth must be in [1, 16]; got 17");
  }
}
