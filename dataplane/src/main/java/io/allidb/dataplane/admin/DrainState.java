package io.allidb.dataplane.admin;

import io.grpc.Status;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether this node has been drained (admin {@code Drain}): a drained node takes no writes, neither
 * from clients nor from other coordinators, until it restarts, so its memtables stay flushed and
 * the pod can stop without relying on WAL replay. Thread-safe.
 */
public final class DrainState {
  private final AtomicBoolean drained = new AtomicBoolean();

  public boolean isDrained() {
    return drained.get();
  }

  /** Marks the node drained; returns whether it was not already. */
  boolean drain() {
    return drained.compareAndSet(false, true);
  }

  /** Throws UNAVAILABLE when drained, so coordinators try another replica or hint. */
  public void checkWritable() {
    if (drained.get()) {
      throw Status.UNAVAILABLE
          .withDescription("this node is drained and takes no writes until it restarts")
          .asRuntimeException();
    }
  }
}
