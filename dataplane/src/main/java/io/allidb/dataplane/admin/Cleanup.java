package io.allidb.dataplane.admin;

import io.allidb.api.admin.CleanupReply;
import io.allidb.dataplane.cluster.gossip.GossipClusterView;
import io.allidb.dataplane.cluster.proto.EndpointState;
import io.allidb.dataplane.cluster.proto.NodeStatus;
import io.allidb.dataplane.cluster.ring.Murmur3Partitioner;
import io.allidb.dataplane.cluster.ring.TokenRing;
import io.allidb.dataplane.storage.row.RowKey;
import java.io.IOException;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admin {@code Cleanup}: drops the rows of token ranges this node no longer replicates (after a
 * join took some over, or after a removal moved replicas), from storage (a filtered major
 * compaction, tombstones included) and from the indexes.
 *
 * <p>A key is kept when this node is one of its replicas in the current ring or a pending replica
 * of it. Refused while a ring change is in flight (a member JOINING with tokens or LEAVING): the
 * owners are about to change, and a range this node still streams from must stay. Refused too when
 * this node is not a NORMAL ring member (it would own nothing and drop everything: a node that left
 * is wiped, not cleaned).
 */
final class Cleanup {
  private static final Logger logger = LoggerFactory.getLogger(Cleanup.class);

  private final AdminParts parts;

  Cleanup(AdminParts parts) {
    this.parts = parts;
  }

  CleanupReply run() throws IOException {
    TokenRing ring = parts.view().ring();
    String me = parts.view().localHostId();
    refuseDuringChange(ring, me);
    int rf = parts.view().replicationFactor();
    Predicate<RowKey> keep =
        k -> {
          long token = Murmur3Partitioner.token(k.tenant(), k.id());
          return ring.replicasFor(token, rf).contains(me)
              || parts.view().pendingReplicasFor(token).contains(me);
        };
    var result = parts.store().cleanup(keep);
    if (!parts.ringChanges().changeInProgress().isEmpty() || !ring.equals(parts.view().ring())) {
      // The ring moved while cleaning: what was dropped was not ours at the start; say so, since
      // a join that started meanwhile streams from current replicas, which this node was not.
      logger.warn("the ring changed during cleanup; run cleanup again once the change completes");
    }
    logger.info(
        "cleanup dropped {} keys ({} bytes), {} from the indexes, at ring epoch {}",
        result.rowsDropped(),
        result.bytesDropped(),
        result.droppedLive().size(),
        ring.epoch());
    return CleanupReply.newBuilder()
        .setRowsRemoved(result.rowsDropped())
        .setBytesRemoved(result.bytesDropped())
        .setIndexEntriesRemoved(result.droppedLive().size())
        .build();
  }

  private void refuseDuringChange(TokenRing ring, String me) {
    String change = parts.ringChanges().changeInProgress();
    if (!change.isEmpty()) {
      throw new IllegalStateException(
          "cleanup refused: a ring change is in flight ("
              + change
              + "); run it once the change completes");
    }
    var gossiper = parts.gossiper().get();
    if (gossiper.isPresent()) {
      EndpointState local = gossiper.get().localState();
      if (local.getStatus() == NodeStatus.LEFT) {
        throw new IllegalStateException(
            "cleanup refused: this node has left the ring and owns nothing; wipe it instead");
      }
      if (local.getStatus() != NodeStatus.NORMAL) {
        throw new IllegalStateException(
            "cleanup refused: this node is "
                + local.getStatus()
                + ", not NORMAL; run it once its ring change completes");
      }
    }
    if (parts.view() instanceof GossipClusterView g && g.futureRing().isPresent()) {
      throw new IllegalStateException(
          "cleanup refused: a ring change is in flight (a member is JOINING or LEAVING); run it"
              + " once the change completes");
    }
    if (!ring.hostIds().contains(me)) {
      throw new IllegalStateException(
          "cleanup refused: "
              + me
              + " owns no token range in the current ring, so cleanup would drop everything;"
              + " a node that left the ring is wiped, not cleaned");
    }
  }
}
