package io.allidb.dataplane.cluster.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.allidb.dataplane.cluster.proto.NodeStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RingIdentityFormatTest {
  @TempDir Path dir;

  private static final RingIdentity ID =
      new RingIdentity("n-1", NodeStatus.NORMAL, List.of(-5L, 3L, Long.MAX_VALUE), 4);

  @Test
  void roundTripsAndReplacesAtomically() throws IOException {
    assertThat(RingIdentityFormat.load(dir)).isEmpty();
    RingIdentityFormat.write(dir, ID);
    assertThat(RingIdentityFormat.load(dir)).contains(ID);
    var next = new RingIdentity("n-1", NodeStatus.LEAVING, List.of(3L), 9);
    RingIdentityFormat.write(dir, next);
    assertThat(RingIdentityFormat.load(dir)).contains(next);
    assertThat(dir.resolve(RingIdentityFormat.FILE_NAME + ".tmp")).doesNotExist();
    assertThat(RingIdentityFormat.encode(ID)).hasSize(4 + 2 + 2 + 3 + 1 + 8 + 4 + 3 * 8 + 4);
  }

  @Test
  void everyFlippedByteIsDetected() {
    byte[] good = RingIdentityFormat.encode(ID);
    for (int i = 0; i < good.length; i++) {
      byte[] bad = good.clone();
      bad[i] ^= 0x10;
      int at = i;
      assertThatThrownBy(() -> RingIdentityFormat.decode(bad, "f"))
          .as("byte %d", at)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("f: corrupt ring identity");
    }
  }

  @Test
  void truncatedAndTrailingBytesAreCorruption() throws IOException {
    byte[] good = RingIdentityFormat.encode(ID);
    for (int len = 0; len < good.length; len++) {
      byte[] cut = Arrays.copyOf(good, len);
      assertThatThrownBy(() -> RingIdentityFormat.decode(cut, "f")).isInstanceOf(IOException.class);
    }
    assertThatThrownBy(() -> RingIdentityFormat.decode(Arrays.copyOf(good, good.length + 1), "f"))
        .hasMessageContaining("trailing");
    Path file = dir.resolve(RingIdentityFormat.FILE_NAME);
    Files.write(file, Arrays.copyOf(good, good.length - 1));
    assertThatThrownBy(() -> RingIdentityFormat.load(dir)).hasMessageContaining(file.toString());
  }
}
