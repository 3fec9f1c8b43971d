package io.allidb.dataplane.cluster.coordinator;

import io.allidb.api.proto.ConsistencyLevel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;

/**
 * How many replicas a consistency level needs, and the error when too few are alive to try.
 *
 * <p>Levels count over the replicas the ring gives a key: the replication factor, or fewer while
 * the ring has fewer members than that (a single node answers QUORUM alone). QUORUM is a strict
 * majority, {@code replicas / 2 + 1}, so any QUORUM read overlaps any QUORUM write.
 */
public final class ConsistencyLevels {
  private ConsistencyLevels() {}

  /** Acknowledgements (or responses) {@code level} needs out of {@code replicas}. */
  public static int required(ConsistencyLevel level, int replicas) {
    return switch (level) {
      case CONSISTENCY_ONE -> Math.min(1, replicas);
      case CONSISTENCY_QUORUM -> replicas / 2 + 1;
      case CONSISTENCY_ALL -> replicas;
      default -> throw new IllegalArgumentException("unknown consistency level " + level);
    };
  }

  /** The level's short name, as users write it ({@code QUORUM}). */
  public static String name(ConsistencyLevel level) {
    return level.name().substring("CONSISTENCY_".length());
  }

  /**
   * UNAVAILABLE, naming the key, the level, what it needs and which replicas are down: the request
   * was not attempted at all.
   */
  public static StatusRuntimeException unavailable(
      String what, ConsistencyLevel level, int required, List<String> replicas, List<String> down) {
    return Status.UNAVAILABLE
        .withDescription(
            "not enough replicas alive for "
                + name(level)
                + " on "
                + what
                + ": need "
                + required
                + " of "
                + replicas
                + ", down: "
                + down)
        .asRuntimeException();
  }
}
