package io.allidb.dataplane.storage.wal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The WAL is damaged in the middle: a damaged sync section is followed by a valid one, which the
 * writer only starts after the damaged one was fsynced, so cutting it off would silently drop
 * acknowledged writes. Replay refuses to continue unless the operator opts in to skipping corrupt
 * records. Immutable.
 */
public final class WalCorruptionException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final long offset;

  public WalCorruptionException(Path file, long offset, String reason) {
    super(
        "corrupt WAL data in "
            + file
            + " at offset "
            + offset
            + ": "
            + reason
            + "; valid WAL data follows it, so it is not a torn tail. To start anyway and lose the"
            + " corrupt records, set the storage option skipCorruptWalRecords"
            + " (--skip-corrupt-wal-records)");
    this.file = file;
    this.offset = offset;
  }

  /** The damaged segment. */
  public Path file() {
    return file;
  }

  /** Byte offset of the damage in the segment. */
  public long offset() {
    return offset;
  }
}
