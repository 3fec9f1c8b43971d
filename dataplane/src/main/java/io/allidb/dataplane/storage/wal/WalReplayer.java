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
 * <p>Segments with seq at or above the requested one are read in ascending seq order and the
 * records of every intact sync section (see {@link WalFormat}) are passed to the sink, in log
 * order. A section is delivered only once all of it has been checked, so a section that turns out
 * to be a torn tail contributes nothing. Damage (a bad section header, a bad record, a section
 * longer than the file) is classified by what follows it, relying on the writer's invariant that a
 * section is written only after the previous one was fsynced:
 *
 * <ul>
 *   <li>No valid section header after the damaged section, neither in this segment (at or after the
 *       section's declared end, or anywhere after the damage when its header is bad) nor in a later
 *       segment: the damaged section is the last one, whose fsync never returned, so it was never
 *       acknowledged ({@code SYNC}) and after a power loss its pages may have reached the disk in
 *       any order. That is a torn tail, even when an intact record follows a garbage one: the whole
 *       section is truncated away (and the truncation fsynced) and reported, and replay goes on.
 *       Truncating, not just ignoring, matters: sections appended after the garbage would otherwise
 *       never be reached by the next replay.
 *   <li>A valid section header after it: the damaged section was durable before the next one was
 *       written, so this is mid-log corruption of possibly acknowledged data. Replay throws {@link
 *       WalCorruptionException} unless {@code skipCorrupt}, in which case it skips the damaged
 *       records (the intact records of a section with a valid header are still replayed; a section
 *       whose header is bad is skipped to the next valid section) and reports the bytes skipped.
 *   <li>A segment header that is torn (the file is no longer than a header) in the last segment:
 *       the crash hit segment creation; the file is deleted. A segment of another format version is
 *       an error whatever {@code skipCorrupt} says. Any other bad header is corruption.
 * </ul>
 *
 * <p>In {@code NONE} mode nothing is fsynced, so a power loss can leave a damaged section before a
 * valid one; replay then refuses to start and the operator chooses {@code skipCorruptWalRecords}. A
 * process crash never reorders pages, so it always leaves a clean tail in every mode.
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

      String headerProblem = WalFormat.checkHeader(file, data, len, segment.seq());
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
      long ordinal = 0; // of the last intact section
      while (pos < len) {
        String sectionProblem = WalFormat.checkSectionHeader(data, len, pos);
        if (sectionProblem == null && WalFormat.sectionOrdinal(data, pos) != ordinal + 1) {
          sectionProblem =
              "section ordinal "
                  + WalFormat.sectionOrdinal(data, pos)
                  + " where "
                  + (ordinal + 1)
                  + " was expected";
        }
        if (sectionProblem != null) {
          // Nothing in a section with a bad header can be trusted to be framed right, so look
          // for the next section anywhere after its first byte.
          int next = findValidSection(data, len, pos + 1, ordinal);
          if (next < 0 && !corruptionFollows(index, file, pos, sectionProblem)) {
            truncateTail(file, pos, len, sectionProblem);
            return;
          }
          if (!skipCorrupt) {
            throw new WalCorruptionException(
                file, pos, sectionProblem + "; a valid section follows at offset " + next);
          }
          int skipTo = next < 0 ? len : next;
          report(new WalDamage(file, pos, skipTo - pos, sectionProblem, false));
          if (next < 0) {
            return;
          }
          ordinal = WalFormat.sectionOrdinal(data, next) - 1;
          pos = next;
          continue;
        }

        int sectionLength = WalFormat.sectionLength(data, pos);
        int contentStart = pos + WalFormat.SECTION_HEADER_BYTES;
        long declaredEnd = (long) contentStart + sectionLength;
        int end = (int) Math.min(declaredEnd, len);
        List<List<Row>> batches = new ArrayList<>();
        int badAt = -1;
        String problem = null;
        int p = contentStart;
        while (p < end) {
          Parsed parsed = parse(data, end, p);
          if (parsed.rows() == null) {
            badAt = p;
            problem = parsed.reason();
            break;
          }
          batches.add(parsed.rows());
          p = parsed.next();
        }
        if (problem == null && declaredEnd > len) {
          badAt = len;
          problem =
              "torn section: " + (declaredEnd - pos) + " bytes long, " + (len - pos) + " present";
        }
        if (problem == null) {
          deliver(batches);
          ordinal++;
          pos = end;
          continue;
        }
        // A valid header's length is checksummed, so the next section can only start at its end.
        int next = declaredEnd > len ? -1 : findValidSection(data, len, (int) declaredEnd, ordinal);
        if (next < 0 && !corruptionFollows(index, file, badAt, problem)) {
          truncateTail(file, pos, len, problem + " at offset " + badAt + " in the last section");
          return;
        }
        if (!skipCorrupt) {
          throw new WalCorruptionException(
              file,
              badAt,
              problem
                  + " in the section at offset "
                  + pos
                  + "; a valid section follows at offset "
                  + next);
        }
        // Keep what is intact in the section: the records before the damage and any valid ones
        // after it.
        deliver(batches);
        skipDamagedRecords(file, data, end, badAt, problem);
        ordinal++;
        if (next < 0) {
          if (declaredEnd > len) {
            return;
          }
          next = (int) declaredEnd;
          if (next < len) {
            report(new WalDamage(file, next, len - next, "garbage after the last section", false));
          }
          return;
        }
        ordinal = WalFormat.sectionOrdinal(data, next) - 1;
        pos = next;
      }
    }

    /** Replays the valid records in {@code [from, end)}, reporting the bytes skipped. */
    private void skipDamagedRecords(Path file, byte[] data, int end, int from, String reason)
        throws IOException {
      if (from >= end) {
        report(new WalDamage(file, from, 0, reason, false)); // the section ended early
        return;
      }
      int p = from;
      while (p < end) {
        Parsed parsed = parse(data, end, p);
        if (parsed.rows() != null) {
          deliver(List.of(parsed.rows()));
          p = parsed.next();
          continue;
        }
        int next = findValidRecord(data, end, p + 1);
        int skipTo = next < 0 ? end : next;
        report(new WalDamage(file, p, skipTo - p, p == from ? reason : parsed.reason(), false));
        p = skipTo;
      }
    }

    private void deliver(List<List<Row>> batches) throws IOException {
      for (List<Row> batch : batches) {
        sink.accept(batch);
        records++;
        rows += batch.size();
      }
    }

    /**
     * True when a later segment holds a valid section, so damage in this one is not the tail:
     * throws unless {@code skipCorrupt}.
     */
    private boolean corruptionFollows(int index, Path file, int offset, String reason)
        throws IOException {
      Path later = laterSegmentWithSections(index + 1);
      if (later == null) {
        return false;
      }
      if (!skipCorrupt) {
        throw new WalCorruptionException(
            file, offset, reason + "; later segment " + later + " holds valid sections");
      }
      return true;
    }

    private void truncateTail(Path file, int sectionStart, int len, String reason)
        throws IOException {
      truncate(file, sectionStart);
      report(new WalDamage(file, sectionStart, len - sectionStart, reason, true));
    }

    private Path laterSegmentWithSections(int from) throws IOException {
      for (int i = from; i < segments.size(); i++) {
        Path file = segments.get(i).file();
        byte[] data = readAll(io, file);
        // Scanned even when the header is bad: valid sections there still mean "not a tail".
        if (findValidSection(data, data.length, WalFormat.HEADER_BYTES, 0) >= 0) {
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

  /**
   * The first offset at or after {@code from} where a valid section header with an ordinal above
   * {@code afterOrdinal} starts, or -1. The section's records need not be intact: a valid header
   * alone proves the previous section was fsynced before it was written.
   */
  static int findValidSection(byte[] data, int len, int from, long afterOrdinal) {
    for (int p = Math.max(from, 0); p + WalFormat.SECTION_HEADER_BYTES <= len; p++) {
      // The marker check is a cheap filter before the checksum; it keeps the scan linear.
      if (WalFormat.readInt(data, p) == WalFormat.SECTION_MARKER
          && WalFormat.checkSectionHeader(data, len, p) == null
          && WalFormat.sectionOrdinal(data, p) > afterOrdinal) {
        return p;
      }
    }
    return -1;
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
