package io.allidb.operator.ring;

import io.allidb.api.admin.DecommissionReply;
import io.allidb.api.admin.MemberState;
import io.allidb.api.admin.RepairReport;
import io.allidb.api.admin.RingMember;
import io.allidb.api.admin.RingViewReply;
import io.allidb.client.AlliAdminClient;
import io.allidb.client.AlliException;
import io.allidb.operator.api.RingMemberState;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * {@link NodeAdmin} over the nodes' {@code allidb.admin.v1.NodeAdmin} gRPC service (admin.proto),
 * through the Java admin client {@link AlliAdminClient}. One client per node target ({@code
 * host:port}), CA bundle and API key, kept for the operator's life; a rotated CA bundle or key
 * (read fresh from the admin Secret on every call) replaces the client and closes the old one.
 * Every call carries a deadline (a longer one for Drain), and the API key when the cluster has
 * auth. Idempotent calls are retried on {@code UNAVAILABLE} within the deadline but do not wait for
 * a node that is down: the operator would rather ask another pod. Thread-safe.
 *
 * <p>Mapping to the operator's records: a ring member's pod is its host id (the StatefulSet starts
 * nodes with {@code --node-id=$(POD_NAME)}, and the host id defaults to the node id); decommission
 * phase {@code STREAMING} is {@link DecommissionStatus#IN_PROGRESS}; every client error becomes a
 * {@link NodeAdminException} naming the node and the RPC, with the status code and the node's
 * message.
 */
public final class GrpcNodeAdmin implements NodeAdmin, AutoCloseable {
  private final AdminCredentials credentials;
  private final Duration deadline;
  private final Duration drainDeadline;
  private final Map<String, Cached> clients = new ConcurrentHashMap<>();

  /** A client and what it was built from: the hash of the CA bundle and of the key. */
  private record Cached(String fingerprint, AlliAdminClient client) {}

  /**
   * @param deadline of every call but Drain (reads and the asynchronous Decommission and repair)
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
    var reply = call(node, "NodeInfo", AlliAdminClient::nodeInfo);
    return new NodeInfo(
        reply.getHostId(),
        reply.getRack(),
        state(reply.getState()),
        reply.getRingEpoch(),
        reply.getHintsPending(),
        reply.getKeySetGeneration(),
        reply.getCertificateGeneration());
  }

  @Override
  public RingView ringView(NodeAddress node) {
    var reply = call(node, "RingView", AlliAdminClient::ringView);
    List<MemberView> members = reply.getMembersList().stream().map(GrpcNodeAdmin::member).toList();
    return new RingView(reply.getRingEpoch(), members);
  }

  @Override
  public void decommission(NodeAddress node) {
    var reply = call(node, "Decommission", AlliAdminClient::decommission);
    if (reply.getPhase() == DecommissionReply.Phase.FAILED) {
      throw new NodeAdminException(node + ": Decommission failed: " + reply.getMessage());
    }
  }

  @Override
  public DecommissionStatus decommissionStatus(NodeAddress node) {
    var reply = call(node, "DecommissionStatus", AlliAdminClient::decommissionStatus);
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
    call(node, "Drain", drainDeadline, AlliAdminClient::drain);
  }

  @Override
  public SecretGenerations reloadSecrets(NodeAddress node) {
    var reply = call(node, "ReloadSecrets", AlliAdminClient::reloadSecrets);
    return new SecretGenerations(reply.getKeySetGeneration(), reply.getCertificateGeneration());
  }

  @Override
  public TokenMap tokenMap(NodeAddress node) {
    return tokenMap(call(node, "RingView", AlliAdminClient::ringView));
  }

  /**
   * The ring as the data plane places replicas: members whose published status owns tokens (NORMAL,
   * LEAVING; a DOWN one by its status). JOINING members publish tokens they do not serve yet, and
   * LEFT ones keep publishing the tokens they gave up: counting either would plan ranges the nodes
   * do not have, and a range whose planned primary has left would never be repaired.
   */
  static TokenMap tokenMap(RingViewReply reply) {
    var tokens = new LinkedHashMap<String, List<Long>>();
    var racks = new LinkedHashMap<String, String>();
    for (var m : reply.getMembersList()) {
      if (m.getStatus() == MemberState.NORMAL || m.getStatus() == MemberState.LEAVING) {
        tokens.put(m.getHostId(), List.copyOf(m.getTokensList()));
        racks.put(m.getHostId(), m.getRack());
      }
    }
    return new TokenMap(reply.getRingEpoch(), reply.getReplicationFactor(), tokens, racks);
  }

  @Override
  public RepairProgress startRepair(NodeAddress node, List<TokenRange> ranges, double intensity) {
    var wire =
        ranges.stream()
            .map(
                r ->
                    io.allidb.api.admin.TokenRange.newBuilder()
                        .setStart(r.start())
                        .setEnd(r.end())
                        .build())
            .toList();
    // depth 0: the node's default Merkle depth
    return progress(node, call(node, "StartRepair", c -> c.startRepair(wire, intensity, 0)));
  }

  @Override
  public RepairProgress repairStatus(NodeAddress node, String repairId) {
    String id = repairId == null ? "" : repairId;
    return progress(node, call(node, "RepairStatus", c -> c.repairStatus(id)));
  }

  /** Closes every client. */
  @Override
  public void close() {
    clients.values().forEach(c -> c.client().close());
    clients.clear();
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

  static RepairProgress progress(NodeAddress node, RepairReport r) {
    var state =
        switch (r.getState()) {
          case NONE -> RepairProgress.State.NONE;
          case RUNNING -> RepairProgress.State.RUNNING;
          case COMPLETED -> RepairProgress.State.COMPLETED;
          case CANCELLED -> RepairProgress.State.CANCELLED;
          case FAILED -> RepairProgress.State.FAILED;
          default ->
              throw new NodeAdminException(
                  node + ": repair report has an unknown state " + r.getStateValue());
        };
    return new RepairProgress(
        r.getRepairId(),
        state,
        r.getRangesTotal(),
        r.getRangesDone(),
        r.getRowsRepaired(),
        r.getMessage());
  }

  private <T> T call(NodeAddress node, String rpc, Function<AlliAdminClient, T> body) {
    return call(node, rpc, deadline, body);
  }

  private <T> T call(
      NodeAddress node, String rpc, Duration timeout, Function<AlliAdminClient, T> body) {
    var access = node.access();
    var credential = access.needsSecret() ? credentials.read(access) : null;
    var client = client(node, credential);
    try {
      return body.apply(client.withDeadline(timeout));
    } catch (AlliException e) {
      throw new NodeAdminException(
          node
              + ": "
              + rpc
              + " failed: "
              + e.code()
              + (e.serverMessage().isEmpty() ? "" : ": " + e.serverMessage()),
          e.code(),
          e);
    }
  }

  private AlliAdminClient client(NodeAddress node, AdminCredentials.Credential credential) {
    var access = node.access();
    byte[] ca = access.tls() && credential != null ? credential.caPem() : null;
    String key = access.auth() && credential != null ? credential.apiKey() : null;
    var fingerprint =
        sha256(ca) + "/" + sha256(key == null ? null : key.getBytes(StandardCharsets.UTF_8));
    var target = node.target();
    AlliAdminClient[] replaced = new AlliAdminClient[1];
    var current =
        clients.compute(
            target,
            (t, existing) -> {
              if (existing != null && existing.fingerprint().equals(fingerprint)) {
                return existing;
              }
              if (existing != null) {
                replaced[0] = existing.client(); // the CA bundle or key rotated
              }
              return new Cached(fingerprint, open(node, ca, key));
            });
    if (replaced[0] != null) {
      replaced[0].close(); // outside compute: closing waits for running calls to finish
    }
    return current.client();
  }

  private AlliAdminClient open(NodeAddress node, byte[] ca, String apiKey) {
    var builder = AlliAdminClient.builder().target(node.target()).deadline(deadline);
    builder.waitForReady(false); // a pod that is down fails fast; the operator asks another one
    try {
      if (ca != null) {
        builder.trustBundle(ca);
        if (node.tlsName() != null) {
          builder.authority(node.tlsName() + ":" + node.port());
        }
      } else {
        builder.plaintext();
      }
      if (apiKey != null) {
        builder.apiKey(apiKey);
      }
      return builder.build();
    } catch (IllegalArgumentException e) {
      // the message names the input (ca.crt or the key's shape), never the key itself
      throw new NodeAdminException(
          node
              + ": the admin Secret "
              + node.access().namespace()
              + "/"
              + node.access().secretName()
              + " holds an unusable credential: "
              + (ca != null && e.getMessage().contains("trust bundle")
                  ? "ca.crt is not a PEM CA bundle"
                  : "api-key must have the form <key-id>.<secret>"),
          e);
    }
  }

  private static String sha256(byte[] bytes) {
    if (bytes == null) {
      return "";
    }
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
