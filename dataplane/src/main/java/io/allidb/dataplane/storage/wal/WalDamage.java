package io.allidb.dataplane.storage.wal;

import java.nio.file.Path;

/**
 * One torn or corrupt spot that replay dealt with. Immutable.
 *
 * @param file the segment file
 * @param offset where the dropped bytes start: a torn tail's sync section, a skipped record or
 *     section, or 0 for a bad segment header
 * @param bytesDropped bytes removed (truncated) or skipped over
 * @param reason what was wrong, e.g. "checksum mismatch"
 * @param truncated true when this was the last sync section of the log and was cut off whole (the
 *     normal result of a crash or power loss during a write: nothing acknowledged is lost); false
 *     when a valid section followed and the bytes were skipped because skipping corrupt records was
 *     allowed (data may be lost)
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
