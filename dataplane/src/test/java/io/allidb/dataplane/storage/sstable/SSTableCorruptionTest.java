package io.allidb.dataplane.storage.sstable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.allidb.dataplane.storage.io.FileIo;
import io.allidb.dataplane.storage.row.Row;
import io.allidb.dataplane.storage.row.RowKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

class SSTableCorruptionTest {
  private static final FileIo IO = FileIo.real();

  @TempDir Path dir;
  private TreeMap<RowKey, Row> rows;
  private Path file;
  private byte[] pristine;
  private SSTableFormat.Footer footer;
  private long[] blockOffsets;
  private RowKey[] blockLastKeys;
  private Random rnd;

  @BeforeEach
  void writeTable(TestInfo info) throws IOException {
    rnd = new Random(RandomRows.seed(info.getDisplayName()));
    rows = new TreeMap<>();
    for (int i = 0; i < 400; i++) {
      var key = RowKey.of("tenant-" + (i / 100), String.format("id-%05d", i));
      // Mix compressible and random values so both block kinds are exercised.
      byte[] value = new byte[40 + rnd.nextInt(80)];
      if (i % 2 == 0) {
        rnd.nextBytes(value);
      }
      rows.put(key, Row.live(key, 1 + i, value));
    }
    try (var reader = SSTableTest.write(dir, 9, 1024, rows.values(), IO)) {
      file = reader.path();
      blockOffsets = new long[reader.blockCount()];
      blockLastKeys = new RowKey[reader.blockCount()];
      for (int i = 0; i < reader.blockCount(); i++) {
        blockOffsets[i] = reader.blockOffset(i);
        blockLastKeys[i] = reader.blockLastKey(i);
      }
    }
    pristine = Files.readAllBytes(file);
    byte[] f = new byte[SSTableFormat.FOOTER_BYTES];
    System.arraycopy(pristine, pristine.length - f.length, f, 0, f.length);
    footer = SSTableFormat.Footer.decode(f, file, pristine.length);
    assertThat(blockOffsets.length).isGreaterThan(5);
  }

  private void flip(long offset) throws IOException {
    byte[] b = pristine.clone();
    b[(int) offset] ^= (byte) (1 << rnd.nextInt(8));
    Files.write(file, b);
  }

  private static void drain(SSTableReader reader) throws IOException {
    try (var it = reader.iterator(null, null)) {
      while (it.hasNext()) {
        it.next();
      }
    }
  }

  @Test
  void flippedByteInADataBlockFailsGetAndIterationNamingFileAndBlockOffset() throws IOException {
    int block = 3;
    long offset = blockOffsets[block];
    long end = blockOffsets[block + 1];
    flip(offset + rnd.nextInt((int) (end - offset)));
    try (var reader = SSTableReader.open(file, IO)) {
      String expected = "at offset " + offset + " in " + file;
      assertThatThrownBy(() -> reader.get(blockLastKeys[block]))
          .isInstanceOf(CorruptSSTableException.class)
          .hasMessageContaining(expected)
          .hasMessageContaining(file.getFileName().toString())
          .satisfies(e -> assertThat(((CorruptSSTableException) e).offset()).isEqualTo(offset));
      assertThatThrownBy(() -> drain(reader))
          .isInstanceOf(CorruptSSTableException.class)
          .hasMessageContaining(expected);
      // Other blocks still read.
      assertThat(reader.get(blockLastKeys[0])).contains(rows.get(blockLastKeys[0]));
      assertThat(reader.get(blockLastKeys[block + 1])).contains(rows.get(blockLastKeys[block + 1]));
    }
  }

  @Test
  void everySampledFlippedDataByteIsDetectedByIteration() throws IOException {
    long dataEnd = footer.indexOffset();
    for (int i = 0; i < 200; i++) {
      long pos = rnd.nextLong(dataEnd);
      flip(pos);
      try (var reader = SSTableReader.open(file, IO)) {
        assertThatThrownBy(() -> drain(reader))
            .as("flip at %d", pos)
            .isInstanceOf(CorruptSSTableException.class)
            .hasMessageContaining("block CRC mismatch");
      }
    }
  }

  @Test
  void flippedByteAnywhereInIndexBloomPropertiesOrFooterFailsOpen() throws IOException {
    List<Long> failures = new ArrayList<>();
    for (long pos = footer.indexOffset(); pos < pristine.length; pos++) {
      flip(pos);
      try {
        SSTableReader.open(file, IO).close();
        failures.add(pos);
      } catch (CorruptSSTableException e) {
        assertThat(e).hasMessageContaining(file.toString());
      }
    }
    assertThat(failures).as("offsets whose corruption open() accepted").isEmpty();
  }

  @Test
  void truncatedFileFailsOpenWithAClearMessage() throws IOException {
    long[] lengths = {
      0,
      10,
      SSTableFormat.FOOTER_BYTES - 1,
      pristine.length / 2,
      pristine.length - 1,
      pristine.length - SSTableFormat.FOOTER_BYTES
    };
    for (long length : lengths) {
      Files.write(file, pristine);
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
        ch.truncate(length);
      }
      assertThatThrownBy(() -> SSTableReader.open(file, IO))
          .as("truncated to %d", length)
          .isInstanceOf(CorruptSSTableException.class)
          .hasMessageContaining(file.toString())
          .hasMessageContaining("truncated");
    }
  }

  @Test
  void unknownVersionWithValidChecksumFailsOpen() throws IOException {
    var future =
        new SSTableFormat.Footer(
            footer.indexOffset(),
            footer.indexLength(),
            footer.bloomOffset(),
            footer.bloomLength(),
            footer.propertiesOffset(),
            footer.propertiesLength(),
            (short) 2);
    byte[] b = pristine.clone();
    System.arraycopy(
        future.encode(), 0, b, b.length - SSTableFormat.FOOTER_BYTES, SSTableFormat.FOOTER_BYTES);
    Files.write(file, b);
    assertThatThrownBy(() -> SSTableReader.open(file, IO))
        .isInstanceOf(CorruptSSTableException.class)
        .hasMessageContaining("unsupported SSTable version 2");
  }

  @Test
  void dataBlockWithValidChecksumButWrongContentsIsRejected() throws IOException {
    // Re-frame block 0 with a correct CRC over a header that claims an unknown compression:
    // structure checks must catch what a checksum cannot.
    byte[] b = pristine.clone();
    int len = (int) (blockOffsets[1] - blockOffsets[0]);
    b[0] = 7;
    int crc = SSTableFormat.crc32c(b, 0, len - 4);
    ByteBuffer.wrap(b).putInt(len - 4, crc);
    Files.write(file, b);
    try (var reader = SSTableReader.open(file, IO)) {
      assertThatThrownBy(() -> reader.get(blockLastKeys[0]))
          .isInstanceOf(CorruptSSTableException.class)
          .hasMessageContaining("bad block header")
          .hasMessageContaining("at offset 0 in");
    }
  }
}
