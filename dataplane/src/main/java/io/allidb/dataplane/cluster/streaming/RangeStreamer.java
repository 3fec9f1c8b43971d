package io.allidb.dataplane.cluster.streaming;

import io.allidb.dataplane.cluster.coordinator.ReplicaCalls;
import io.allidb.dataplane.cluster.proto.ApplyRowsRequest;
import io.allidb.dataplane.cluster.proto.StreamRowsReply;
import io.allidb.dataplane.cluster.proto.StreamRowsRequest;
import io.allidb.dataplane.cluster.replica.StoredRows;
import io.allidb.dataplane.cluster.ring.TokenRange;
import io.allidb.dataplane.cluster.state.RangeStreamProgress;
import io.allidb.dataplane.cluster.state.StreamState;
import io.allidb.dataplane.storage.row.Row;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves the rows of token ranges between nodes for a ring change, resumably: each {@link Transfer}
 * pulls checksummed pages from its source ({@code StreamRows}) and applies them on its target
 * ({@code ApplyRows}, last-write-wins, so a page applied twice after a crash is harmless). Either
 * end may be this node (bootstrap pulls to itself; decommission pushes its own rows to the new
 * owners; removing a dead node copies between two survivors).
 *
 * <p>After every page the position (the last key moved) is written to the operation's state file
 * ({@link StateFileFormat}), so a restarted node resumes each range where it stopped instead of
 * from the start. Flow control is the pull: the next page is asked for only once the last one is
 * applied. A page call that fails is tried again (five tries, pauses doubling from 1 s) before the
 * transfer fails. Not thread-safe: one per operation.
 */
public final class RangeStreamer {
  private static final Logger logger = LoggerFactory.getLogger(RangeStreamer.class);
  private static final long CALL_TIMEOUT_S = 120;
  private static final int ATTEMPTS = 5;

  /** Rows of {@code range} go from {@code source} to {@code target}. */
  public record Transfer(TokenRange range, String source, String target) {}

  private final ReplicaCalls calls;
  private final Path stateFile;
  private final Clock clock;
  private StreamState.Builder state;

  /**
   * Opens (or resumes) the operation kept in {@code stateFile}.
   *
   * @throws IOException when the state file exists but is damaged
   */
  public RangeStreamer(ReplicaCalls calls, Path stateFile, String operation, Clock clock)
      throws IOException {
    this.calls = calls;
    this.stateFile = stateFile;
    this.clock = clock;
    this.state =
        StateFileFormat.read(stateFile, StreamState.parser())
            .map(StreamState::toBuilder)
            .orElseGet(
                () ->
                    StreamState.newBuilder()
                        .setOperation(operation)
                        .setStartedAtMillis(clock.millis()));
  }

  /** Whether a previous run of this operation left progress behind. */
  public boolean resuming() {
    return state.getRangesCount() > 0;
  }

  public synchronized StreamState state() {
    return state.build();
  }

  /** Records the plan once; a resumed operation keeps the plan it had. */
  public synchronized void plan(List<Transfer> transfers, List<Long> tokens) throws IOException {
    if (state.getRangesCount() > 0) {
      return;
    }
    for (Transfer t : transfers) {
      state.addRanges(
          RangeStreamProgress.newBuilder()
              .setStart(t.range().start())
              .setEnd(t.range().end())
              .setPeer(t.source() + ">" + t.target()));
    }
    state.clearTokens().addAllTokens(tokens);
    StateFileFormat.write(stateFile, state.build());
  }

  /** Streams every range not yet done, in plan order; stops early when {@code cancelled}. */
  public void run(BooleanSupplier cancelled) throws IOException {
    for (int i = 0; i < state.getRangesCount() && !cancelled.getAsBoolean(); i++) {
      if (!state.getRanges(i).getDone()) {
        streamRange(i, cancelled);
      }
    }
    if (!cancelled.getAsBoolean()) {
      synchronized (this) {
        state.setCompleted(true);
        StateFileFormat.write(stateFile, state.build());
      }
    }
  }

  private void streamRange(int index, BooleanSupplier cancelled) throws IOException {
    RangeStreamProgress p = state.getRanges(index);
    String[] ends = p.getPeer().split(">", 2);
    String source = ends[0];
    String target = ends[1];
    var request =
        StreamRowsRequest.newBuilder()
            .setFromHostId(calls.localHostId())
            .addAllRanges(
                StoredRows.toProtoRanges(List.of(new TokenRange(p.getStart(), p.getEnd()))))
            .setAfterTenant(p.getAfterTenant())
            .setAfterId(p.getAfterId())
            .setLimit(1000);
    while (!cancelled.getAsBoolean()) {
      StreamRowsRequest asked = request.build();
      StreamRowsReply page =
          retrying(() -> calls.streamRows(source, asked), "StreamRows " + source, cancelled);
      List<Row> rows = RowChunks.verify(source, page);
      long bytes = 0;
      if (!rows.isEmpty()) {
        var apply =
            ApplyRowsRequest.newBuilder()
                .setFromHostId(calls.localHostId())
                .addAllRows(page.getRowsList())
                .build();
        retrying(() -> calls.applyRows(target, apply), "ApplyRows " + target, cancelled);
        for (Row r : rows) {
          bytes += r.value().length + r.key().encodedSize();
        }
      }
      boolean done = page.getExhausted() || rows.isEmpty();
      synchronized (this) {
        var b = state.getRanges(index).toBuilder();
        b.setRows(b.getRows() + rows.size()).setBytes(b.getBytes() + bytes).setDone(done);
        if (!rows.isEmpty()) {
          Row last = rows.get(rows.size() - 1);
          b.setAfterTenant(last.key().tenant()).setAfterId(last.key().id());
          request.setAfterTenant(last.key().tenant()).setAfterId(last.key().id());
        }
        state.setRanges(index, b);
        StateFileFormat.write(stateFile, state.build());
      }
      if (done) {
        logger.debug("streamed {} from {} to {}", state.getRanges(index), source, target);
        return;
      }
    }
  }

  /** Progress for the admin API. */
  public synchronized StreamProgress progress(StreamProgress.Phase phase, String message) {
    int done = 0;
    long rows = 0;
    long bytes = 0;
    for (RangeStreamProgress p : state.getRangesList()) {
      done += p.getDone() ? 1 : 0;
      rows += p.getRows();
      bytes += p.getBytes();
    }
    return new StreamProgress(phase, state.getRangesCount(), done, rows, bytes, message);
  }

  /**
   * A page call, tried up to {@link #ATTEMPTS} times with a doubling pause (1 s, 2 s, 4 s, ...): a
   * page is idempotent (a read, or rows applied last-write-wins), and one call timing out on a busy
   * target should slow the transfer down, not fail the whole ring change.
   */
  private static <T> T retrying(
      Supplier<CompletableFuture<T>> call, String what, BooleanSupplier cancelled)
      throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        return await(call.get(), what);
      } catch (IOException e) {
        if (attempt == ATTEMPTS || cancelled.getAsBoolean()) {
          throw attempt == 1 ? e : new IOException(e.getMessage() + " (" + attempt + " tries)", e);
        }
        long pause = 1000L << (attempt - 1);
        logger.warn("{} (try {} of {}), again in {} ms", e.getMessage(), attempt, ATTEMPTS, pause);
        try {
          Thread.sleep(pause);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IOException(what + ": interrupted", ie);
        }
      }
    }
  }

  static <T> T await(CompletableFuture<T> f, String what) throws IOException {
    try {
      return f.get(CALL_TIMEOUT_S, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(what + ": interrupted", e);
    } catch (ExecutionException e) {
      throw new IOException(what + " failed: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IOException(what + " timed out after " + CALL_TIMEOUT_S + " s", e);
    }
  }
}
