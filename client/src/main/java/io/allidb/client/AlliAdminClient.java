package io.allidb.client;

import io.allidb.api.admin.CancelRepairRequest;
import io.allidb.api.admin.CleanupReply;
import io.allidb.api.admin.CleanupRequest;
import io.allidb.api.admin.CompactRequest;
import io.allidb.api.admin.DecommissionReply;
import io.allidb.api.admin.DecommissionRequest;
import io.allidb.api.admin.DecommissionStatusRequest;
import io.allidb.api.admin.DrainReply;
import io.allidb.api.admin.DrainRequest;
import io.allidb.api.admin.FlushRequest;
import io.allidb.api.admin.NodeAdminGrpc;
import io.allidb.api.admin.NodeInfoReply;
import io.allidb.api.admin.NodeInfoRequest;
import io.allidb.api.admin.ReloadSecretsReply;
import io.allidb.api.admin.ReloadSecretsRequest;
import io.allidb.api.admin.RemoveNodeReply;
import io.allidb.api.admin.RemoveNodeRequest;
import io.allidb.api.admin.RepairHistoryReply;
import io.allidb.api.admin.RepairHistoryRequest;
import io.allidb.api.admin.RepairReport;
import io.allidb.api.admin.RepairStatusRequest;
import io.allidb.api.admin.RingViewReply;
import io.allidb.api.admin.RingViewRequest;
import io.allidb.api.admin.StartRepairRequest;
import io.allidb.api.admin.TokenRange;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Client of the node admin API ({@code allidb.admin.v1.NodeAdmin}, docs/api.md "Node admin API"),
 * with {@link AlliClient}'s conventions: a builder for target, API key (it needs the {@code admin}
 * scope), TLS, deadline and retries; one channel; typed errors.
 *
 * <p>Admin calls act on the node they reach, so build one client per node ({@code
 * target("allidb-0.allidb-headless.db.svc:7000")}); a builder may be reused: set another target and
 * {@link Builder#build()} again. Calls that run until done (drain, flush, compact, cleanup) may
 * need {@link #withDeadline} longer than the default 30 s.
 *
 * <p><b>Retries</b> on {@code UNAVAILABLE}: every call except {@link #startRepair}, because the
 * admin API makes them idempotent (a second decommission reports the same operation, a second drain
 * or flush finds nothing left to do, cancelling a finished repair reports it). A repeated
 * StartRepair would start a second repair or fail with "already running".
 *
 * <p>Thread-safe.
 */
public final class AlliAdminClient implements AutoCloseable {
  private static final Set<String> IDEMPOTENT =
      Set.of(
          "NodeInfo",
          "RingView",
          "Decommission",
          "DecommissionStatus",
          "Drain",
          "Cleanup",
          "RemoveNode",
          "RepairStatus",
          "CancelRepair",
          "RepairHistory",
          "ReloadSecrets",
          "Flush",
          "Compact");

  private final Connection connection;
  private final boolean owner;
  private final Duration deadline;
  private final String target;

  private AlliAdminClient(Connection connection, boolean owner, Duration deadline, String target) {
    this.connection = connection;
    this.owner = owner;
    this.deadline = deadline;
    this.target = target;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A view whose calls use {@code deadline}; it shares the channel. */
  public AlliAdminClient withDeadline(Duration deadline) {
    if (deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException("deadline must be positive; got " + deadline);
    }
    return new AlliAdminClient(connection, false, deadline, target);
  }

  /** The target this client calls, as given to the builder. */
  public String target() {
    return target;
  }

  /** The node's identity, state, load, hint backlog, secret generations, version. */
  public NodeInfoReply nodeInfo() {
    return call("admin.nodeInfo", () -> stub().nodeInfo(NodeInfoRequest.getDefaultInstance()));
  }

  /** Every ring member as this node sees it, and the ring change in progress. */
  public RingViewReply ringView() {
    return call("admin.ringView", () -> stub().ringView(RingViewRequest.getDefaultInstance()));
  }

  /** Starts (or reports) this node's decommission; poll {@link #decommissionStatus()}. */
  public DecommissionReply decommission() {
    return call(
        "admin.decommission", () -> stub().decommission(DecommissionRequest.getDefaultInstance()));
  }

  public DecommissionReply decommissionStatus() {
    return call(
        "admin.decommissionStatus",
        () -> stub().decommissionStatus(DecommissionStatusRequest.getDefaultInstance()));
  }

  /** Stops taking writes, flushes, delivers hints; returns when done. */
  public DrainReply drain() {
    return call("admin.drain", () -> stub().drain(DrainRequest.getDefaultInstance()));
  }

  /** Drops rows of ranges this node no longer replicates; returns when done. */
  public CleanupReply cleanup() {
    return call("admin.cleanup", () -> stub().cleanup(CleanupRequest.getDefaultInstance()));
  }

  /** Removes a dead member from the ring. */
  public RemoveNodeReply removeNode(String hostId) {
    Objects.requireNonNull(hostId, "hostId");
    return call(
        "admin.removeNode",
        () -> stub().removeNode(RemoveNodeRequest.newBuilder().setHostId(hostId).build()));
  }

  /** Repairs every range this node replicates at the node's default intensity and depth. */
  public RepairReport startRepair() {
    return startRepair(List.of(), 0, 0);
  }

  /**
   * Starts a Merkle repair. Never retried (see the class comment).
   *
   * @param ranges ranges to repair; empty for all this node replicates
   * @param intensity fraction of wall time the repair may work, (0, 1]; 0 for the default
   * @param depth Merkle tree depth; 0 for the default
   */
  public RepairReport startRepair(List<TokenRange> ranges, double intensity, int depth) {
    var request =
        StartRepairRequest.newBuilder()
            .addAllRanges(ranges)
            .setIntensity(intensity)
            .setDepth(depth)
            .build();
    return call("admin.startRepair", () -> stub().startRepair(request));
  }

  /** The latest repair started on this node. */
  public RepairReport repairStatus() {
    return repairStatus("");
  }

  /** A repair's progress; an empty id means the latest. */
  public RepairReport repairStatus(String repairId) {
    return call(
        "admin.repairStatus",
        () -> stub().repairStatus(RepairStatusRequest.newBuilder().setRepairId(repairId).build()));
  }

  public RepairReport cancelRepair(String repairId) {
    Objects.requireNonNull(repairId, "repairId");
    return call(
        "admin.cancelRepair",
        () -> stub().cancelRepair(CancelRepairRequest.newBuilder().setRepairId(repairId).build()));
  }

  /** Last repair per range and the recent repairs, newest first. */
  public RepairHistoryReply repairHistory() {
    return call(
        "admin.repairHistory",
        () -> stub().repairHistory(RepairHistoryRequest.getDefaultInstance()));
  }

  /** Re-reads API keys and TLS material now. */
  public ReloadSecretsReply reloadSecrets() {
    return call(
        "admin.reloadSecrets",
        () -> stub().reloadSecrets(ReloadSecretsRequest.getDefaultInstance()));
  }

  /** Writes every memtable to SSTables; returns when done. */
  public void flush() {
    call("admin.flush", () -> stub().flush(FlushRequest.getDefaultInstance()));
  }

  /** A major compaction; returns when done. */
  public void compact() {
    call("admin.compact", () -> stub().compact(CompactRequest.getDefaultInstance()));
  }

  private NodeAdminGrpc.NodeAdminBlockingStub stub() {
    return connection.stub(NodeAdminGrpc.newBlockingStub(connection.channel()), deadline);
  }

  private static <R> R call(String operation, java.util.function.Supplier<R> call) {
    return AlliClient.call(operation, call);
  }

  /** Closes the channel (a no-op on a {@link #withDeadline} view). */
  @Override
  public void close() {
    if (owner) {
      connection.close();
    }
  }

  /** Builder of {@link AlliAdminClient}; see {@link ClientBuilder}. Reusable across targets. */
  public static final class Builder extends ClientBuilder<Builder> {
    private Builder() {}

    public AlliAdminClient build() {
      var connection = Connection.open(this, Map.of(NodeAdminGrpc.SERVICE_NAME, IDEMPOTENT));
      String described = target != null ? target : String.join(",", nodes);
      return new AlliAdminClient(connection, true, deadline, described);
    }
  }
}
