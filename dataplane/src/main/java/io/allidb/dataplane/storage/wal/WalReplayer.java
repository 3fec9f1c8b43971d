package io.allidb.dataplane.storage.wal;

import io.allidb.dataplane.storage.io.FileIo;
import io.allidb.dataplane.storage.row.CorruptRowException;
import io.allidb.dataplane.storage.row.Row;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the WAL back at startup and repairs its tail.
 *
 * <p>Segments with seq at or above the requested one are read in ascending seq order and every
 * complete, checksum-valid record is passed to the sink, in log order. Damage is classified by what
 * follows it:
 *
 * <ul>
 *   <li>Nothing valid after it anywhere in the log (this segment or a later one): a torn tail, the
 *       expected result of a crash during a write. Its records were never acknowledged as durable,
 *       so the bytes are truncated away (and the truncation fsynced) and replay goes on.
 *       Truncating, not just ignoring, matters: later records appended after the garbage would
 *       otherwise never be reached by the next replay.
 *   <li>A valid record after it (found by scanning forward byte by byte, or in a later segment):
 *       mid-log corruption. Cutting there would drop acknowledged writes silently, so replay throws
 *       {@link WalCorruptionException} unless {@code skipCorrupt}, in which case it skips to the
 *       next valid record and reports the bytes skipped.
 *   <li>A segment header that is torn (the file is no longer than a header) in the last segment:
 *       the crash hit segment creation; the file is deleted. Any other bad header is corruption.
 * </ul>
 *
 * <p>Rows that do not decode inside a checksum-valid record are corruption too; replay never passes
 * undecodable data on. Every damage is logged at WARN and returned in the result.
 *
 * <p>Stateless; must not run while a {@link WalWriter} writes to the same directory.
 */
public final class WalReplayer {
  private static final Logger logger = LoggerFactory.getLogger(WalReplayer.class);

  /** Receives each record's rows, in log order. */
  @FunctionalInterface
  public interface RecordSink {
    void accept(List<Row> batch) throws IOException;
  }

  private WalReplayer() {}

  private record Segment(long seq, Path file) {}

  /** The outcome of parsing at one offset: either rows and the next offset, or why not. */
  private record Parsed(List<Row> rows, int next, String reason) {
    static Parsed bad(String reason) {
      return new Parsed(null, -1, reason);
    }
  }

  /**
   * Replays the segments of {@code dir} with seq >= {@code fromSegmentSeq}.
   *
   * @param skipCorrupt skip mid-log corruption instead of throwing
   * @throws WalCorruptionException on mid-log corruption when not {@code skipCorrupt}
   * @throws IOException when reading fails or the sink throws
   */
  public static ReplayResult replay(
      Path dir, long fromSegmentSeq, FileIo io, boolean skipCorrupt, RecordSink sink)
      throws IOException {
    List<Segment> all = new ArrayList<>();
    try {
      for (Path p : io.list(dir)) {
        long seq = WalFormat.parseSeq(p);
        if (seq >= 1) {
          all.add(new Segment(seq, p));
        }
      }
    } catch (NoSuchFileException e) {
      return new ReplayResult(0, 0, 0, 0, List.of());
    }
    all.sort(Comparator.comparingLong(Segment::seq));
    long maxSeq = all.isEmpty() ? 0 : all.get(all.size() - 1).seq();
    List<Segment> segments = all.stream().filter(s -> s.seq() >= fromSegmentSeq).toList();

    var state = new State(dir, io, skipCorrupt, sink, segments);
    for (int i = 0; i < segments.size(); i++) {
      state.replaySegment(i);
    }
    return new ReplayResult(segments.size(), state.records, state.rows, maxSeq, state.damage);
  }

  /** Mutable progress of one replay. */
  private static final class State {
    final Path dir;
    final FileIo io;
    final boolean skipCorrupt;
    final RecordSink sink;
    final List<Segment> segments;
    final List<WalDamage> damage = new ArrayList<>();
    long records;
    long rows;

    State(Path dir, FileIo io, boolean skipCorrupt, RecordSink sink, List<Segment> segments) {
      this.dir = dir;
      this.io = io;
      this.skipCorrupt = skipCorrupt;
      this.sink = sink;
      this.segments = segments;
    }

    void replaySegment(int index) throws IOException {
      Segment segment = segments.get(index);
      Path file = segment.file();
      byte[] data = readAll(io, file);
      int len = data.length;
      boolean last = index == segments.size() - 1;

      String headerProblem = WalFormat.checkHeader(data, len, segment.seq());
      if (headerProblem != null) {
        if (last && len <= WalFormat.HEADER_BYTES) {
          io.deleteIfExists(file);
          io.syncDirectory(dir);
          report(new WalDamage(file, 0, len, headerProblem + "; segment deleted", true));
          return;
        }
        if (!skipCorrupt) {
          throw new WalCorruptionException(file, 0, headerProblem);
        }
        report(new WalDamage(file, 0, len, headerProblem + "; segment skipped", false));
        return;
      }

      int pos = WalFormat.HEADER_BYTES;
      while (pos < len) {
        Parsed parsed = parse(data, len, pos);
        if (parsed.rows() != null) {
          sink.accept(parsed.rows());
          records++;
          rows += parsed.rows().size();
          pos = parsed.next();
          continue;
        }
        int next = findValidRecord(data, len, pos + 1);
        if (next >= 0) {
          if (!skipCorrupt) {
            throw new WalCorruptionException(
                file, pos, parsed.reason() + "; a valid record follows at offset " + next);
          }
          report(new WalDamage(file, pos, next - pos, parsed.reason(), false));
          pos = next;
          continue;
        }
        Path later = laterSegmentWithRecords(index + 1);
        if (later != null) {
          if (!skipCorrupt) {
            throw new WalCorruptionException(
                file, pos, parsed.reason() + "; later segment " + later + " holds valid records");
          }
          report(new WalDamage(file, pos, len - pos, parsed.reason(), false));
          return;
        }
        truncate(file, pos);
        report(new WalDamage(file, pos, len - pos, parsed.reason(), true));
        return;
      }
    }

    private Path laterSegmentWithRecords(int from) throws IOException {
      for (int i = from; i < segments.size(); i++) {
        Path file = segments.get(i).file();
        byte[] data = readAll(io, file);
        // Scanned even when the header is bad: valid records there still mean "not a tail".
        if (findValidRecord(data, data.length, WalFormat.HEADER_BYTES) >= 0) {
          return file;
        }
      }
      return null;
    }

    private void truncate(Path file, long size) throws IOException {
      try (FileChannel ch = io.open(file, StandardOpenOption.WRITE)) {
        ch.truncate(size);
        ch.force(true);
      }
    }

    private void report(WalDamage d) {
      logger.warn("{} (file {}, offset {}, {} bytes)", d, d.file(), d.offset(), d.bytesDropped());
      damage.add(d);
    }
  }

  /** The first offset at or after {@code from} where a complete, valid record starts, or -1. */
  static int findValidRecord(byte[] data, int len, int from) {
    for (int p = from; p + WalFormat.RECORD_HEADER_BYTES <= len; p++) {
      // Cheap filters before the checksum keep the scan linear on garbage.
      if (data[p + WalFormat.RECORD_HEADER_BYTES - 1] != WalFormat.TYPE_ROW_BATCH) {
        continue;
      }
      if (parse(data, len, p).rows() != null) {
        return p;
      }
    }
    return -1;
  }

  /** Parses the record at {@code pos}. */
  static Parsed parse(byte[] data, int len, int pos) {
    int available = len - pos;
    if (available < WalFormat.RECORD_HEADER_BYTES) {
      return Parsed.bad(
          "torn record header: " + available + " of " + WalFormat.RECORD_HEADER_BYTES + " bytes");
    }
    int length = WalFormat.readInt(data, pos);
    if (length < 1 || length > WalFormat.MAX_PAYLOAD_BYTES) {
      return Parsed.bad("implausible record length " + Integer.toUnsignedString(length));
    }
    int end = pos + WalFormat.RECORD_HEADER_BYTES + length;
    if (end > len || end < 0) {
      return Parsed.bad(
          "torn record: "
              + (WalFormat.RECORD_HEADER_BYTES + length)
              + " bytes long, "
              + available
              + " present");
    }
    int storedCrc = WalFormat.readInt(data, pos + 4);
    var crc = new CRC32C();
    crc.update(data, pos + WalFormat.RECORD_HEADER_BYTES - 1, length + 1);
    if ((int) crc.getValue() != storedCrc) {
      return Parsed.bad("checksum mismatch");
    }
    byte type = data[pos + WalFormat.RECORD_HEADER_BYTES - 1];
    if (type != WalFormat.TYPE_ROW_BATCH) {
      return Parsed.bad("unknown record type " + type);
    }
    try {
      return new Parsed(
          WalFormat.decodeBatch(data, pos + WalFormat.RECORD_HEADER_BYTES, length), end, null);
    } catch (CorruptRowException e) {
      return Parsed.bad("checksum-valid record does not decode: " + e.getMessage());
    }
  }

  private static byte[] readAll(FileIo io, Path file) throws IOException {
    try (FileChannel ch = io.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size > Integer.MAX_VALUE - 16) {
        throw new IOException(
            "WAL segment " + file + " is too large to replay: " + size + " bytes");
      }
      var buf = ByteBuffer.allocate((int) size);
      while (buf.hasRemaining()) {
        if (ch.read(buf, buf.position()) < 0) {
          break; // shrank while reading; parse what is there
        }
      }
      return buf.position() == size ? buf.array() : Arrays.copyOf(buf.array(), buf.position());
    }
  }
}
