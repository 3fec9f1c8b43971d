package io.allidb.dataplane.storage.sstable;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An SSTable's bytes failed a check: a checksum mismatch, bad magic, an unknown version, an
 * out-of-bounds offset or a structure that does not decode.
 *
 * <p>The message names what failed, the offset of the damaged block (or footer) and the file, e.g.
 * {@code "block CRC mismatch at offset 123 in /data/sstables/sst-...01.db"}, so an operator can
 * find the file to restore from a replica. Corrupt data is never returned as data.
 */
public final class CorruptSSTableException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final long offset;

  /**
   * @param file the SSTable file
   * @param offset offset of the damaged block or footer, or -1 when no single offset applies
   * @param what what failed
   */
  public CorruptSSTableException(Path file, long offset, String what) {
    this(file, offset, what, null);
  }

  public CorruptSSTableException(Path file, long offset, String what, Throwable cause) {
    super(what + (offset >= 0 ? " at offset " + offset : "") + " in " + file, cause);
    this.file = file;
    this.offset = offset;
  }

  /** The damaged file. */
  public Path file() {
    return file;
  }

  /** Offset of the damaged block or footer, or -1. */
  public long offset() {
    return offset;
  }
}
