package io.allidb.dataplane.storage.wal;

import io.allidb.dataplane.storage.io.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The segment file the writer appends sync sections to: creation with a durable header, section
 * writes, fsync, and rollback of a failed section.
 *
 * <p>Not thread-safe: after creation it is confined to the {@code wal-sync} thread.
 */
final class WalSegment implements AutoCloseable {
  private final long seq;
  private final FileChannel channel;

  /** End of the last fully written section: where the next one starts. */
  private long end = WalFormat.HEADER_BYTES;

  /** Ordinal of the last fully written section, 0 before the first. */
  private long ordinal;

  /** True when sections were written since the last fsync. */
  private boolean unforced;

  private WalSegment(long seq, FileChannel channel) {
    this.seq = seq;
    this.channel = channel;
  }

  /**
   * Creates segment {@code seq} in {@code dir} and writes its header. Unless {@code durable} is
   * false ({@code NONE} mode), the header and the directory entry are fsynced before this returns.
   */
  static WalSegment create(Path dir, long seq, FileIo io, boolean durable) throws IOException {
    Path file = dir.resolve(WalFormat.fileName(seq));
    FileChannel ch = io.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    try {
      ByteBuffer header = WalFormat.header(seq);
      long pos = 0;
      while (header.hasRemaining()) {
        pos += ch.write(header, pos);
      }
      if (durable) {
        // The header and the directory entry must be durable before any record in this file is
        // acknowledged, or a crash could lose the file that holds fsynced records. It also keeps
        // the section invariant across segments: this file's first section is written only after
        // the previous segment was fsynced, which the caller did before creating this one.
        ch.force(true);
        io.syncDirectory(dir);
      }
      return new WalSegment(seq, ch);
    } catch (IOException e) {
      try {
        ch.close();
        io.deleteIfExists(file);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  long seq() {
    return seq;
  }

  /** Bytes in the file after the last fully written section. */
  long size() {
    return end;
  }

  /** True when no section has been written yet. */
  boolean isEmpty() {
    return end == WalFormat.HEADER_BYTES;
  }

  /**
   * Writes one sync section holding {@code bytes[HEADER..HEADER+length)}. The caller reserved
   * {@link WalFormat#SECTION_HEADER_BYTES} bytes at the start of {@code bytes}; the header is
   * filled in here, so header and records go out in a single write loop. On failure the segment's
   * state still points at the section's start; call {@link #rollBack}.
   */
  void writeSection(byte[] bytes, int length) throws IOException {
    WalFormat.putSectionHeader(bytes, 0, length, ordinal + 1);
    var buf = ByteBuffer.wrap(bytes, 0, WalFormat.SECTION_HEADER_BYTES + length);
    long pos = end;
    unforced = true;
    while (buf.hasRemaining()) {
      pos += channel.write(buf, pos);
    }
    end = pos;
    ordinal++;
  }

  /** Fsyncs the written sections, if any were written since the last fsync. */
  boolean force() throws IOException {
    if (!unforced) {
      return false;
    }
    channel.force(false);
    unforced = false;
    return true;
  }

  /**
   * Cuts the file back to {@code end} and its ordinal to {@code ordinal}, the state before a failed
   * section, and fsyncs the cut, so the next section directly follows valid ones.
   */
  void rollBack(long toEnd, long toOrdinal) throws IOException {
    channel.truncate(toEnd);
    channel.force(true);
    end = toEnd;
    ordinal = toOrdinal;
    unforced = false;
  }

  long ordinal() {
    return ordinal;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
