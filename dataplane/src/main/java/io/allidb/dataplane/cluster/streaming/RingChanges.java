package io.allidb.dataplane.cluster.streaming;

import io.grpc.Status;

/**
 * The ring changes a node can be asked to make through the admin API: leave the ring (decommission)
 * and remove a dead member. A gossiping node implements them with {@link RangeStreamer}; a node
 * with a static ring (tests, a single node) refuses them.
 */
public interface RingChanges {

  /**
   * Starts (or, when already started, reports) this node's decommission.
   *
   * @throws io.grpc.StatusRuntimeException FAILED_PRECONDITION with the reason when refused
   */
  StreamProgress decommission();

  StreamProgress decommissionStatus();

  /**
   * Starts (or, when already started, reports) the removal of a dead member: its ranges are
   * streamed to their new replicas from surviving ones, then it is LEFT.
   *
   * @throws io.grpc.StatusRuntimeException FAILED_PRECONDITION when the member is alive, unknown,
   *     or another ring change is in progress
   */
  StreamProgress removeNode(String hostId);

  /** The ring change in progress as this node sees it, or empty. */
  default String changeInProgress() {
    return "";
  }

  /** Stops background work at shutdown; a change in progress resumes on the next start. */
  default void close() {}

  /** For a node whose ring is fixed (no gossip): every change is refused, saying why. */
  static RingChanges unsupported() {
    return new RingChanges() {
      private RuntimeException refuse() {
        return Status.FAILED_PRECONDITION
            .withDescription(
                "this node has a static ring (no gossip membership); ring changes need a"
                    + " gossiping cluster")
            .asRuntimeException();
      }

      @Override
      public StreamProgress decommission() {
        throw refuse();
      }

      @Override
      public StreamProgress decommissionStatus() {
        return StreamProgress.notStarted();
      }

      @Override
      public StreamProgress removeNode(String hostId) {
        throw refuse();
      }
    };
  }
}
