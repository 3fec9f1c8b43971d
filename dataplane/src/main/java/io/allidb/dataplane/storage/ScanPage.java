package io.allidb.dataplane.storage;

import io.allidb.api.proto.Entity;
import java.util.List;

/**
 * One page of a scan.
 *
 * @param entities live entities in key order
 * @param nextPageToken opaque token that resumes the scan after the last entity of this page, or
 *     the empty string when the range is exhausted
 */
public record ScanPage(List<Entity> entities, String nextPageToken) {
  public ScanPage {
    entities = List.copyOf(entities);
  }

  public boolean hasMore() {
    return !nextPageToken.isEmpty();
  }
}
