package io.allidb.dataplane.storage.wal;

import java.nio.file.Path;

/**
 * One torn or corrupt spot that replay dealt with. Immutable.
 *
 * @param file the segment file
 * @param offset byte offset of the first bad byte (a record's start, or 0 for a bad header)
 * @param bytesDropped bytes removed (truncated) or skipped over
 * @param reason what was wrong, e.g. "checksum mismatch"
 * @param truncated true when this was the tail of the log and was cut off (the normal result of a
 *     crash during a write: nothing acknowledged is lost); false when valid records followed and
 *     the bytes were skipped because skipping corrupt records was allowed (data may be lost)
 */
public record WalDamage(
    Path file, long offset, long bytesDropped, String reason, boolean truncated) {
  @Override
  public String toString() {
    return (truncated ? "truncated torn WAL tail in " : "skipped corrupt WAL bytes in ")
        + file
        + " at offset "
        + offset
        + ": "
        + bytesDropped
        + " bytes dropped ("
        + reason
        + ")";
  }
}
