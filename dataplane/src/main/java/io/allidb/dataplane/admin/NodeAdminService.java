package io.allidb.dataplane.admin;

import io.allidb.api.admin.CancelRepairRequest;
import io.allidb.api.admin.CleanupReply;
import io.allidb.api.admin.CleanupRequest;
import io.allidb.api.admin.CompactReply;
import io.allidb.api.admin.CompactRequest;
import io.allidb.api.admin.DecommissionReply;
import io.allidb.api.admin.DecommissionRequest;
import io.allidb.api.admin.DecommissionStatusRequest;
import io.allidb.api.admin.DrainReply;
import io.allidb.api.admin.DrainRequest;
import io.allidb.api.admin.FlushReply;
import io.allidb.api.admin.FlushRequest;
import io.allidb.api.admin.NodeAdminGrpc;
import io.allidb.api.admin.NodeInfoReply;
import io.allidb.api.admin.NodeInfoRequest;
import io.allidb.api.admin.RangeRepair;
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
import io.allidb.dataplane.cluster.repair.RepairProgress;
import io.allidb.dataplane.cluster.state.RangeRepairRecord;
import io.allidb.dataplane.cluster.streaming.StreamProgress;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.ArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code allidb.admin.v1.NodeAdmin} service: thin decoding and encoding around the node's parts
 * ({@link AdminParts}); what each call does is documented in {@code admin.proto} and {@code
 * docs/api.md}. The ring and identity answers are built by {@link RingReport}.
 *
 * <p>Errors: {@link IllegalArgumentException} answers INVALID_ARGUMENT, {@link
 * IllegalStateException} FAILED_PRECONDITION (both with their message, which says why), {@link
 * IOException} UNAVAILABLE and anything else INTERNAL, with details in the node's log. Thread-safe.
 */
public final class NodeAdminService extends NodeAdminGrpc.NodeAdminImplBase {
  private static final Logger logger = LoggerFactory.getLogger(NodeAdminService.class);

  private final AdminParts parts;
  private final RingReport report;

  public NodeAdminService(AdminParts parts) {
    this.parts = parts;
    this.report = new RingReport(parts);
  }

  @FunctionalInterface
  private interface Handler<T> {
    T handle() throws Exception;
  }

  private static <T> void answer(String rpc, StreamObserver<T> out, Handler<T> handler) {
    T reply;
    try {
      reply = handler.handle();
    } catch (StatusRuntimeException e) {
      out.onError(e);
      return;
    } catch (IllegalArgumentException e) {
      out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
      return;
    } catch (IllegalStateException e) {
      out.onError(Status.FAILED_PRECONDITION.withDescription(e.getMessage()).asRuntimeException());
      return;
    } catch (IOException e) {
      logger.warn("admin {} failed", rpc, e);
      out.onError(
          Status.UNAVAILABLE
              .withDescription(rpc + " failed: " + e.getMessage())
              .asRuntimeException());
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      out.onError(Status.CANCELLED.withDescription(rpc + " interrupted").asRuntimeException());
      return;
    } catch (Exception e) {
      logger.error("admin {} failed", rpc, e);
      out.onError(
          Status.INTERNAL
              .withDescription(rpc + ": internal error on this node (details in its log)")
              .asRuntimeException());
      return;
    }
    out.onNext(reply);
    out.onCompleted();
  }

  @Override
  public void nodeInfo(NodeInfoRequest request, StreamObserver<NodeInfoReply> out) {
    answer("NodeInfo", out, report::nodeInfo);
  }

  @Override
  public void ringView(RingViewRequest request, StreamObserver<RingViewReply> out) {
    answer("RingView", out, report::ringView);
  }

  @Override
  public void decommission(DecommissionRequest request, StreamObserver<DecommissionReply> out) {
    answer("Decommission", out, () -> decommissionReply(parts.ringChanges().decommission()));
  }

  @Override
  public void decommissionStatus(
      DecommissionStatusRequest request, StreamObserver<DecommissionReply> out) {
    answer(
        "DecommissionStatus",
        out,
        () -> decommissionReply(parts.ringChanges().decommissionStatus()));
  }

  private static DecommissionReply decommissionReply(StreamProgress p) {
    var phase =
        switch (p.phase()) {
          case NOT_STARTED -> DecommissionReply.Phase.NOT_STARTED;
          case STREAMING -> DecommissionReply.Phase.STREAMING;
          case COMPLETED -> DecommissionReply.Phase.COMPLETED;
          case FAILED -> DecommissionReply.Phase.FAILED;
        };
    return DecommissionReply.newBuilder()
        .setPhase(phase)
        .setRangesTotal(p.rangesTotal())
        .setRangesDone(p.rangesDone())
        .setRowsStreamed(p.rowsStreamed())
        .setBytesStreamed(p.bytesStreamed())
        .setMessage(p.message())
        .build();
  }

  /** Flush, refuse writes, deliver hints to live targets; see {@link DrainState}. */
  @Override
  public void drain(DrainRequest request, StreamObserver<DrainReply> out) {
    answer(
        "Drain",
        out,
        () -> {
          if (parts.drain().drain()) {
            logger.info("draining: writes refused from now on");
          }
          parts.store().storage().flush();
          long before = hintsPending();
          parts.hintReplayer().runOnce();
          long after = hintsPending();
          return DrainReply.newBuilder()
              .setHintsDelivered(Math.max(0, before - after))
              .setHintsRemaining(after)
              .build();
        });
  }

  long hintsPending() {
    return parts.hints().targets().stream().mapToLong(parts.hints()::pending).sum();
  }

  @Override
  public void cleanup(CleanupRequest request, StreamObserver<CleanupReply> out) {
    answer("Cleanup", out, () -> new Cleanup(parts).run());
  }

  @Override
  public void removeNode(RemoveNodeRequest request, StreamObserver<RemoveNodeReply> out) {
    answer(
        "RemoveNode",
        out,
        () -> {
          if (request.getHostId().isEmpty()) {
            throw new IllegalArgumentException("host_id is required");
          }
          var p = decommissionReply(parts.ringChanges().removeNode(request.getHostId()));
          return RemoveNodeReply.newBuilder()
              .setMessage(p.getMessage())
              .setPhase(p.getPhase())
              .setRangesTotal(p.getRangesTotal())
              .setRangesDone(p.getRangesDone())
              .setRowsStreamed(p.getRowsStreamed())
              .setBytesStreamed(p.getBytesStreamed())
              .build();
        });
  }

  @Override
  public void startRepair(StartRepairRequest request, StreamObserver<RepairReport> out) {
    answer(
        "StartRepair",
        out,
        () -> {
          var ranges = new ArrayList<io.allidb.dataplane.cluster.ring.TokenRange>();
          request
              .getRangesList()
              .forEach(
                  r ->
                      ranges.add(
                          new io.allidb.dataplane.cluster.ring.TokenRange(
                              r.getStart(), r.getEnd())));
          return report(parts.repairs().start(ranges, request.getIntensity(), request.getDepth()));
        });
  }

  @Override
  public void repairStatus(RepairStatusRequest request, StreamObserver<RepairReport> out) {
    answer(
        "RepairStatus",
        out,
        () ->
            parts
                .repairs()
                .status(request.getRepairId())
                .map(NodeAdminService::report)
                .orElseGet(() -> noRepair(request.getRepairId())));
  }

  @Override
  public void cancelRepair(CancelRepairRequest request, StreamObserver<RepairReport> out) {
    answer(
        "CancelRepair",
        out,
        () ->
            parts
                .repairs()
                .cancel(request.getRepairId())
                .map(NodeAdminService::report)
                .orElseGet(() -> noRepair(request.getRepairId())));
  }

  private static RepairReport noRepair(String id) {
    return RepairReport.newBuilder()
        .setRepairId(id)
        .setState(RepairReport.State.NONE)
        .setMessage(id.isEmpty() ? "no repair has run on this node" : "no repair " + id)
        .build();
  }

  @Override
  public void repairHistory(RepairHistoryRequest request, StreamObserver<RepairHistoryReply> out) {
    answer(
        "RepairHistory",
        out,
        () -> {
          var reply = RepairHistoryReply.newBuilder();
          for (RangeRepairRecord r : parts.repairs().history()) {
            reply.addRanges(
                RangeRepair.newBuilder()
                    .setRange(TokenRange.newBuilder().setStart(r.getStart()).setEnd(r.getEnd()))
                    .setLastRepairedMillis(r.getLastRepairedMillis())
                    .setRowsRepaired(r.getRowsRepaired())
                    .addAllReplicas(r.getReplicasList()));
          }
          parts.repairs().recent().forEach(p -> reply.addRecent(report(p)));
          return reply.build();
        });
  }

  static RepairReport report(RepairProgress p) {
    var state =
        switch (p.state()) {
          case RUNNING -> RepairReport.State.RUNNING;
          case COMPLETED -> RepairReport.State.COMPLETED;
          case CANCELLED -> RepairReport.State.CANCELLED;
          case FAILED -> RepairReport.State.FAILED;
        };
    return RepairReport.newBuilder()
        .setRepairId(p.id())
        .setState(state)
        .setRangesTotal(p.rangesTotal())
        .setRangesDone(p.rangesDone())
        .setLeavesDiffering(p.leavesDiffering())
        .setRowsRepaired(p.rowsRepaired())
        .setBytesRepaired(p.bytesRepaired())
        .setStartedAtMillis(p.startedAtMillis())
        .setFinishedAtMillis(p.finishedAtMillis())
        .setIntensity(p.intensity())
        .setMessage(p.message() == null ? "" : p.message())
        .build();
  }

  @Override
  public void reloadSecrets(ReloadSecretsRequest request, StreamObserver<ReloadSecretsReply> out) {
    answer(
        "ReloadSecrets",
        out,
        () -> {
          var g = parts.secrets().reload();
          return ReloadSecretsReply.newBuilder()
              .setKeySetGeneration(g.keySet())
              .setCertificateGeneration(g.certificate())
              .setMessage(g.message())
              .build();
        });
  }

  @Override
  public void flush(FlushRequest request, StreamObserver<FlushReply> out) {
    answer(
        "Flush",
        out,
        () -> {
          parts.store().storage().flush();
          return FlushReply.getDefaultInstance();
        });
  }

  @Override
  public void compact(CompactRequest request, StreamObserver<CompactReply> out) {
    answer(
        "Compact",
        out,
        () -> {
          parts.store().storage().compact();
          return CompactReply.getDefaultInstance();
        });
  }
}
