package io.allidb.dataplane.admin;

import io.allidb.api.admin.MemberState;
import io.allidb.api.admin.NodeInfoReply;
import io.allidb.api.admin.RingMember;
import io.allidb.api.admin.RingViewReply;
import io.allidb.dataplane.cluster.ClusterView;
import io.allidb.dataplane.cluster.gossip.Gossiper;
import io.allidb.dataplane.cluster.proto.EndpointState;
import io.allidb.dataplane.cluster.proto.NodeStatus;
import io.allidb.dataplane.cluster.ring.TokenRing;
import io.allidb.dataplane.storage.StorageStats;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Builds the identity ({@code NodeInfo}) and ring ({@code RingView}) answers: from the gossiped
 * endpoint states when the node gossips (every member, LEFT and JOINING ones included), otherwise
 * from the ring alone (a static ring: every member NORMAL). Thread-safe.
 */
final class RingReport {
  private final AdminParts parts;

  RingReport(AdminParts parts) {
    this.parts = parts;
  }

  NodeInfoReply nodeInfo() {
    ClusterView view = parts.view();
    TokenRing ring = view.ring();
    String me = view.localHostId();
    StorageStats stats = parts.store().storage().stats();
    var secrets = parts.secrets().current();
    var reply =
        NodeInfoReply.newBuilder()
            .setHostId(me)
            .setApiAddress(parts.apiAddress())
            .setInternodeAddress(view.internodeAddress(me).orElse(""))
            .setLoadBytes(stats.liveSSTableBytes() + stats.memtableBytes())
            .setRingEpoch(ring.epoch())
            .setHintsPending(
                parts.hints().targets().stream().mapToLong(parts.hints()::pending).sum())
            .setKeySetGeneration(secrets.keySet())
            .setCertificateGeneration(secrets.certificate())
            .setVersion(parts.version())
            .setReplicationFactor(view.replicationFactor())
            .setDrained(parts.drain().isDrained());
    Optional<EndpointState> local = parts.gossiper().get().map(Gossiper::localState);
    if (local.isPresent()) {
      EndpointState s = local.get();
      reply
          .setRack(s.getRack())
          .addAllTokens(s.getTokensList())
          .setState(state(s.getStatus()))
          .setRingEpoch(Math.max(ring.epoch(), s.getRingEpoch()));
    } else {
      TokenRing.Member m = ring.members().get(me);
      if (m != null) {
        reply.setRack(m.rack()).addAllTokens(m.tokens()).setState(MemberState.NORMAL);
      } else {
        reply.setState(MemberState.JOINING);
      }
    }
    return reply.build();
  }

  RingViewReply ringView() {
    ClusterView view = parts.view();
    TokenRing ring = view.ring();
    int rf = view.replicationFactor();
    Map<String, Double> ownership = ring.ownership(rf);
    var reply =
        RingViewReply.newBuilder()
            .setRingEpoch(ring.epoch())
            .setReplicationFactor(rf)
            .setChangeInProgress(parts.ringChanges().changeInProgress());
    Optional<Gossiper> gossiper = parts.gossiper().get();
    if (gossiper.isPresent()) {
      var states = new TreeMap<>(gossiper.get().states());
      for (EndpointState s : states.values()) {
        boolean up = view.isAlive(s.getHostId());
        MemberState status = state(s.getStatus());
        reply.addMembers(
            RingMember.newBuilder()
                .setHostId(s.getHostId())
                .setInternodeAddress(s.getInternodeAddress())
                .setApiAddress(s.getApiAddress())
                .setRack(s.getRack())
                .setStatus(status)
                .setState(up || status == MemberState.LEFT ? status : MemberState.DOWN)
                .setUp(up)
                .addAllTokens(s.getTokensList())
                .setLoadBytes(s.getLoadBytes())
                .setOwnership(ownership.getOrDefault(s.getHostId(), 0.0)));
        reply.setRingEpoch(Math.max(reply.getRingEpoch(), s.getRingEpoch()));
      }
    } else {
      for (TokenRing.Member m : ring.members().values()) {
        boolean up = view.isAlive(m.hostId());
        reply.addMembers(
            RingMember.newBuilder()
                .setHostId(m.hostId())
                .setInternodeAddress(view.internodeAddress(m.hostId()).orElse(""))
                .setRack(m.rack())
                .setStatus(MemberState.NORMAL)
                .setState(up ? MemberState.NORMAL : MemberState.DOWN)
                .setUp(up)
                .addAllTokens(m.tokens())
                .setOwnership(ownership.getOrDefault(m.hostId(), 0.0)));
      }
    }
    return reply.build();
  }

  static MemberState state(NodeStatus s) {
    return switch (s) {
      case JOINING -> MemberState.JOINING;
      case NORMAL -> MemberState.NORMAL;
      case LEAVING -> MemberState.LEAVING;
      case LEFT -> MemberState.LEFT;
      default -> MemberState.MEMBER_STATE_UNKNOWN;
    };
  }
}
