package io.allidb.operator.ring;

import io.allidb.api.admin.DecommissionReply;
import io.allidb.api.admin.DecommissionRequest;
import io.allidb.api.admin.DecommissionStatusRequest;
import io.allidb.api.admin.DrainRequest;
import io.allidb.api.admin.MemberState;
import io.allidb.api.admin.NodeAdminGrpc;
import io.allidb.api.admin.NodeInfoRequest;
import io.allidb.api.admin.RingMember;
import io.allidb.api.admin.RingViewRequest;
import io.allidb.operator.api.RingMemberState;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * {@link NodeAdmin} over the nodes' {@code allidb.admin.v1.NodeAdmin} gRPC service (admin.proto).
 * One channel per node target ({@code host:port}) and trust anchor, kept for the operator's life; a
 * changed CA bundle replaces the channel. Every call carries a deadline, and the API key (when the
 * cluster has auth) as {@code x-allidb-api-key}. Thread-safe.
 *
 * <p>Mapping to the operator's records: a ring member's pod is its host id (the StatefulSet starts
 * nodes with {@code --node-id=$(POD_NAME)}, and the host id defaults to the node id); decommission
 * phase {@code STREAMING} is {@link DecommissionStatus#IN_PROGRESS}; every gRPC error becomes a
 * {@link NodeAdminException} with the status code and the node's message.
 *
 * <p>The stubs stay inside this class so that it can later delegate to the shared Java admin client
 * without touching the operator.
 */
public final class GrpcNodeAdmin implements NodeAdmin, AutoCloseable {
  static final Metadata.Key<String> API_KEY_HEADER =
      Metadata.Key.of("x-allidb-api-key", Metadata.ASCII_STRING_MARSHALLER);

  private final AdminCredentials credentials;
  private final Duration deadline;
  private final Duration drainDeadline;
  private final Map<String, Channel> channels = new ConcurrentHashMap<>();

  private record Channel(String trust, ManagedChannel channel) {}

  /**
   * @param deadline of every call but Drain (reads and the asynchronous Decommission)
   * @param drainDeadline of Drain, which returns only once the node has flushed and handed off its
   *     hints
   */
  public GrpcNodeAdmin(AdminCredentials credentials, Duration deadline, Duration drainDeadline) {
    this.credentials = credentials;
    this.deadline = deadline;
    this.drainDeadline = drainDeadline;
  }

  /** Production defaults: 5 s per call, 2 min for a drain (the pod's grace period is 120 s). */
  public GrpcNodeAdmin(AdminCredentials credentials) {
    this(credentials, Duration.ofSeconds(5), Duration.ofMinutes(2));
  }

  @Override
  public NodeInfo nodeInfo(NodeAddress node) {
    var reply =
        call(node, "NodeInfo", deadline, s -> s.nodeInfo(NodeInfoRequest.getDefaultInstance()));
    return new NodeInfo(
        reply.getHostId(),
        reply.getRack(),
        state(reply.getState()),
        reply.getRingEpoch(),
        reply.getHintsPending());
  }

  @Override
  public RingView ringView(NodeAddress node) {
    var reply =
        call(node, "RingView", deadline, s -> s.ringView(RingViewRequest.getDefaultInstance()));
    List<MemberView> members = reply.getMembersList().stream().map(GrpcNodeAdmin::member).toList();
    return new RingView(reply.getRingEpoch(), members);
  }

  @Override
  public void decommission(NodeAddress node) {
    var reply =
        call(
            node,
            "Decommission",
            deadline,
            s -> s.decommission(DecommissionRequest.getDefaultInstance()));
    if (reply.getPhase() == DecommissionReply.Phase.FAILED) {
      throw new NodeAdminException(node + ": Decommission failed: " + reply.getMessage());
    }
  }

  @Override
  public DecommissionStatus decommissionStatus(NodeAddress node) {
    var reply =
        call(
            node,
            "DecommissionStatus",
            deadline,
            s -> s.decommissionStatus(DecommissionStatusRequest.getDefaultInstance()));
    return switch (reply.getPhase()) {
      case NOT_STARTED -> DecommissionStatus.NOT_STARTED;
      case STREAMING -> DecommissionStatus.IN_PROGRESS;
      case COMPLETED -> DecommissionStatus.COMPLETED;
      case FAILED -> DecommissionStatus.FAILED;
      default ->
          throw new NodeAdminException(
              node + ": DecommissionStatus answered an unknown phase " + reply.getPhaseValue());
    };
  }

  @Override
  public void drain(NodeAddress node) {
    call(node, "Drain", drainDeadline, s -> s.drain(DrainRequest.getDefaultInstance()));
  }

  /** Closes every channel. */
  @Override
  public void close() {
    channels.values().forEach(c -> c.channel().shutdownNow());
    channels.clear();
  }

  static MemberView member(RingMember m) {
    return new MemberView(m.getHostId(), m.getHostId(), m.getRack(), state(m.getState()));
  }

  static RingMemberState state(MemberState s) {
    return switch (s) {
      case JOINING -> RingMemberState.JOINING;
      case NORMAL -> RingMemberState.NORMAL;
      case LEAVING -> RingMemberState.LEAVING;
      case LEFT -> RingMemberState.LEFT;
      case DOWN -> RingMemberState.DOWN;
      default -> RingMemberState.UNKNOWN;
    };
  }

  private <T> T call(
      NodeAddress node,
      String rpc,
      Duration timeout,
      Function<NodeAdminGrpc.NodeAdminBlockingStub, T> body) {
    var access = node.access();
    var credential = access.needsSecret() ? credentials.read(access) : null;
    var stub = NodeAdminGrpc.newBlockingStub(channel(node, credential));
    if (access.auth()) {
      var headers = new Metadata();
      headers.put(API_KEY_HEADER, credential.apiKey());
      stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    try {
      return body.apply(stub.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS));
    } catch (StatusRuntimeException e) {
      var status = e.getStatus();
      throw new NodeAdminException(
          node
              + ": "
              + rpc
              + " failed: "
              + status.getCode()
              + (status.getDescription() == null ? "" : ": " + status.getDescription()),
          e);
    }
  }

  private ManagedChannel channel(NodeAddress node, AdminCredentials.Credential credential) {
    var trust = credential == null || credential.caPem() == null ? "" : sha256(credential.caPem());
    var target = node.target();
    var current =
        channels.compute(
            target,
            (t, existing) -> {
              if (existing != null && existing.trust().equals(trust)) {
                return existing;
              }
              if (existing != null) {
                existing.channel().shutdown(); // the CA bundle rotated
              }
              return new Channel(trust, open(target, credential));
            });
    return current.channel();
  }

  private static ManagedChannel open(String target, AdminCredentials.Credential credential) {
    ChannelCredentials creds;
    if (credential != null && credential.caPem() != null) {
      try {
        creds =
            TlsChannelCredentials.newBuilder()
                .trustManager(new ByteArrayInputStream(credential.caPem()))
                .build();
      } catch (IOException e) {
        throw new NodeAdminException("the admin Secret's ca.crt is not a PEM CA bundle", e);
      }
    } else {
      creds = InsecureChannelCredentials.create();
    }
    return NettyChannelBuilder.forTarget(target, creds)
        // a node answering slowly must not hold a reconcile longer than the deadline
        .idleTimeout(5, TimeUnit.MINUTES)
        .build();
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
