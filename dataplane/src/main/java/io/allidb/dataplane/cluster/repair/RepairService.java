package io.allidb.dataplane.cluster.repair;

import io.allidb.dataplane.cluster.ClusterView;
import io.allidb.dataplane.cluster.coordinator.ReplicaCalls;
import io.allidb.dataplane.cluster.ring.TokenRange;
import io.allidb.dataplane.cluster.state.RangeRepairRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Runs anti-entropy repairs on this node, one at a time, on a background thread: start, status,
 * cancel, history. The node that runs a repair coordinates it for the ranges it replicates; the
 * other replicas only answer {@code MerkleTree} and {@code StreamRows} calls and apply rows. To
 * repair the whole cluster, run a repair on every node (or on enough nodes to cover each range).
 *
 * <p>Thread-safe.
 */
public final class RepairService implements AutoCloseable {
  public static final double DEFAULT_INTENSITY = 0.5;
  public static final int DEFAULT_DEPTH = 10;
  private static final int RECENT = 20;

  private final ClusterView view;
  private final ReplicaCalls calls;
  private final RepairHistory history;
  private final Clock clock;
  private final ExecutorService runner;
  private final Deque<RepairJob> recent = new ArrayDeque<>();
  private RepairJob current;

  public RepairService(ClusterView view, ReplicaCalls calls, Path stateDir, Clock clock)
      throws IOException {
    this.view = view;
    this.calls = calls;
    this.history = RepairHistory.open(stateDir);
    this.clock = clock;
    this.runner =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "repair-" + view.localHostId());
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Starts a repair.
   *
   * @param asked ranges to repair; empty for all this node replicates. Each selects the vnode
   *     ranges this node replicates that it overlaps, and those are repaired whole
   * @param intensity fraction of time working, (0, 1]; 0 = {@link #DEFAULT_INTENSITY}
   * @param depth Merkle tree depth; 0 = {@link #DEFAULT_DEPTH}
   * @throws IllegalStateException when a repair is already running on this node
   * @throws IllegalArgumentException for a bad intensity or depth, or when no asked range is one
   *     this node replicates
   */
  public synchronized RepairProgress start(List<TokenRange> asked, double intensity, int depth) {
    if (current != null && !current.progress().finished()) {
      throw new IllegalStateException(
          "repair " + current.id() + " is already running on this node; cancel it or wait");
    }
    List<TokenRange> ranges = ownRanges(asked);
    if (ranges.isEmpty()) {
      throw new IllegalArgumentException(
          asked.isEmpty()
              ? "this node replicates no range (it is not in the ring)"
              : "none of the asked ranges overlaps a range this node replicates");
    }
    var job =
        new RepairJob(
            UUID.randomUUID().toString(),
            view,
            calls,
            ranges,
            depth == 0 ? DEFAULT_DEPTH : depth,
            intensity == 0 ? DEFAULT_INTENSITY : intensity,
            history,
            clock);
    current = job;
    recent.addFirst(job);
    while (recent.size() > RECENT) {
      recent.removeLast();
    }
    runner.execute(job);
    return job.progress();
  }

  private List<TokenRange> ownRanges(List<TokenRange> asked) {
    List<TokenRange> mine =
        view.ring()
            .rangesByReplica(view.replicationFactor())
            .getOrDefault(view.localHostId(), List.of());
    if (asked.isEmpty()) {
      return mine;
    }
    var out = new ArrayList<TokenRange>();
    for (TokenRange r : mine) {
      if (asked.stream().anyMatch(a -> overlaps(a, r))) {
        out.add(r);
      }
    }
    return out;
  }

  /** Whether two (start, end] ranges share a token: one holds the other's end. */
  static boolean overlaps(TokenRange a, TokenRange b) {
    return a.contains(b.end()) || b.contains(a.end());
  }

  /** The repair with this id, or the latest when {@code id} is empty. */
  public synchronized Optional<RepairProgress> status(String id) {
    return find(id).map(RepairJob::progress);
  }

  /** Asks a running repair to stop after the piece of work in hand; empty id = the latest. */
  public synchronized Optional<RepairProgress> cancel(String id) {
    Optional<RepairJob> job = find(id);
    job.ifPresent(RepairJob::cancel);
    return job.map(RepairJob::progress);
  }

  private Optional<RepairJob> find(String id) {
    if (id.isEmpty()) {
      return Optional.ofNullable(current);
    }
    return recent.stream().filter(j -> j.id().equals(id)).findFirst();
  }

  /** The most recent repairs, newest first. */
  public synchronized List<RepairProgress> recent() {
    return recent.stream().map(RepairJob::progress).toList();
  }

  /** The last successful repair of every range this node repaired. */
  public List<RangeRepairRecord> history() {
    return history.ranges();
  }

  @Override
  public void close() {
    synchronized (this) {
      if (current != null) {
        current.cancel();
      }
    }
    runner.shutdownNow();
    try {
      runner.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
