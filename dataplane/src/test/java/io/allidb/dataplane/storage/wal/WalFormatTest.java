package io.allidb.dataplane.storage.wal;

import static io.allidb.dataplane.storage.wal.WalTestSupport.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.allidb.dataplane.storage.row.Row;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class WalFormatTest {
  private static final Path FILE = Path.of(WalFormat.fileName(42));

  @Test
  void fileNamesSortNumericallyAndParseBack() {
    assertThat(WalFormat.fileName(1)).isEqualTo("wal-00000000000000000001.log");
    assertThat(WalFormat.parseSeq(Path.of(WalFormat.fileName(Long.MAX_VALUE))))
        .isEqualTo(Long.MAX_VALUE);
    assertThat(WalFormat.parseSeq(Path.of("wal-1.log"))).isEqualTo(-1);
    assertThat(WalFormat.parseSeq(Path.of("wal-00000000000000000000.log"))).isEqualTo(-1);
    assertThat(WalFormat.parseSeq(Path.of("wal-99999999999999999999.log"))).isEqualTo(-1);
    assertThatThrownBy(() -> WalFormat.fileName(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void headerIsBigEndianAndChecksummed() throws Exception {
    byte[] header = WalFormat.header(42).array();
    assertThat(header).hasSize(WalFormat.HEADER_BYTES);
    var buf = ByteBuffer.wrap(header);
    assertThat(buf.getInt()).isEqualTo(0x414C5741);
    assertThat(buf.getShort()).isEqualTo((short) 2);
    assertThat(buf.getShort()).isZero();
    assertThat(buf.getLong()).isEqualTo(42);
    assertThat(WalFormat.checkHeader(FILE, header, header.length, 42)).isNull();
    assertThat(WalFormat.checkHeader(FILE, header, header.length, 43)).contains("does not match");
    header[12] ^= 1;
    assertThat(WalFormat.checkHeader(FILE, header, header.length, 42)).contains("checksum");
  }

  @Test
  void recordFramesLengthChecksumAndTypeBeforeThePayload() throws Exception {
    List<Row> batch = List.of(row("a", 5, new byte[] {1, 2}), row("b", 6, new byte[0]));
    byte[] record = WalFormat.encodeBatch(batch);
    var buf = ByteBuffer.wrap(record);
    int length = buf.getInt();
    int crc = buf.getInt();
    assertThat(length).isEqualTo(record.length - WalFormat.RECORD_HEADER_BYTES);
    assertThat(record[8]).isEqualTo(WalFormat.TYPE_ROW_BATCH);
    var expected = new CRC32C();
    expected.update(record, 8, record.length - 8);
    assertThat(crc).isEqualTo((int) expected.getValue());
    assertThat(WalFormat.decodeBatch(record, 9, length)).isEqualTo(batch);
  }

  @Test
  void sectionHeaderFramesMarkerLengthAndOrdinalUnderAChecksum() {
    byte[] header = WalFormat.sectionHeader(1234, 7);
    assertThat(header).hasSize(WalFormat.SECTION_HEADER_BYTES);
    var buf = ByteBuffer.wrap(header);
    assertThat(buf.getInt()).isEqualTo(0x414C5753);
    assertThat(buf.getInt()).isEqualTo(1234);
    assertThat(buf.getLong()).isEqualTo(7);
    var expected = new CRC32C();
    expected.update(header, 0, 16);
    assertThat(buf.getInt()).isEqualTo((int) expected.getValue());
    assertThat(WalFormat.checkSectionHeader(header, header.length, 0)).isNull();
    assertThat(WalFormat.checkSectionHeader(header, header.length - 1, 0)).contains("torn");
    for (int i = 0; i < header.length; i++) {
      byte[] flipped = header.clone();
      flipped[i] ^= 0x01;
      assertThat(WalFormat.checkSectionHeader(flipped, flipped.length, 0))
          .as("byte %d", i)
          .isNotNull();
    }
    assertThat(WalFormat.checkSectionHeader(WalFormat.sectionHeader(0, 1), 20, 0))
        .contains("implausible section length");
  }
}
