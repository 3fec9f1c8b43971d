package io.allidb.dataplane.storage.manifest;

import java.util.List;

/**
 * The durable description of an engine's files. See {@link ManifestFormat}.
 *
 * @param nextGeneration next SSTable generation to hand out
 * @param walStartSegment first WAL segment replay must read
 * @param maxTimestamp greatest row timestamp in the live SSTables
 * @param liveGenerations the SSTables that make up the data set
 */
public record ManifestState(
    long nextGeneration, long walStartSegment, long maxTimestamp, List<Long> liveGenerations) {
  public ManifestState {
    liveGenerations = List.copyOf(liveGenerations);
  }

  /** A new, empty data set. */
  public static ManifestState empty() {
    return new ManifestState(1, 1, 0, List.of());
  }
}
