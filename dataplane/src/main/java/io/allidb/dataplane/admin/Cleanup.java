package io.allidb.dataplane.admin;

import io.grpc.Status;

/**
 * Admin {@code Cleanup}: dropping the rows of ranges this node no longer replicates. Not built yet:
 * it needs a filtered major compaction (rows purged without tombstones, which repair would spread)
 * and index removal of the purged keys. Until then the call answers UNIMPLEMENTED, so an operator
 * never believes space was reclaimed when it was not.
 */
final class Cleanup {
  Cleanup(AdminParts parts) {}

  long run() {
    throw Status.UNIMPLEMENTED
        .withDescription(
            "Cleanup is not implemented yet (needs a filtered compaction); rows of ranges this"
                + " node gave away stay on disk and are harmless: reads never route to them")
        .asRuntimeException();
  }
}
