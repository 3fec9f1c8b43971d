package io.allidb.dataplane.storage.wal;

/**
 * When a write is acknowledged relative to the fsync of its WAL record.
 *
 * <p>The trade-off is the usual one: {@code SYNC} loses nothing that was acknowledged, even on
 * power loss, and pays one fsync per commit group; {@code PERIODIC} acknowledges once the record is
 * in the WAL buffer and bounds the loss window on power failure to the sync interval (a process
 * crash loses at most the unwritten buffer); {@code NONE} never fsyncs and is meant for development
 * and bulk loads that can be redone.
 */
public enum DurabilityMode {
  /** Acknowledge after the fsync of the record's commit group. */
  SYNC,
  /** Acknowledge at once; write and fsync every {@code periodicInterval}. */
  PERIODIC,
  /**
   * Acknowledge at once; write to the OS in the background, never fsync. A power loss (not a
   * process crash) can then leave damage before valid data that replay cannot tell from corruption;
   * it refuses to start and the operator sets {@code skipCorruptWalRecords}.
   */
  NONE
}
