package io.allidb.dataplane.cluster.repair;

import io.allidb.dataplane.cluster.ClusterView;
import io.allidb.dataplane.cluster.coordinator.ReplicaCalls;
import io.allidb.dataplane.cluster.proto.MerkleTreeReply;
import io.allidb.dataplane.cluster.proto.MerkleTreeRequest;
import io.allidb.dataplane.cluster.replica.StoredRows;
import io.allidb.dataplane.cluster.ring.TokenRange;
import io.allidb.dataplane.cluster.ring.TokenRing;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One anti-entropy repair run on this node: for each token range this node replicates (or the asked
 * subset), every replica builds a Merkle tree of its rows there; the trees are compared; the
 * differing leaves are synchronised across all replicas by {@link RangeSync} (newest row wins, in
 * both directions, tombstones included); the range's repair is recorded in the history.
 *
 * <p>Ranges are handled in batches that share a pass over each replica's data (a tree costs a full
 * scan, see {@link MerkleTrees}). Every replica of a range must be alive: a range with a replica
 * down is skipped and reported (its repair would not be complete, and recording it as repaired
 * would make gc_grace unsafe). The job sleeps between batches per its {@link Throttle}. Progress is
 * read from any thread; the run itself is single-threaded.
 */
final class RepairJob implements Runnable {
  private static final Logger logger = LoggerFactory.getLogger(RepairJob.class);

  /** Leaves synchronised per round trip: bounds the rows held in memory at once. */
  private static final int LEAVES_PER_SYNC = 8;

  private final String id;
  private final ClusterView view;
  private final ReplicaCalls calls;
  private final List<TokenRange> ranges;
  private final int depth;
  private final Throttle throttle;
  private final RepairHistory history;
  private final Clock clock;
  private final RangeSync sync;
  private final long startedAt;
  private volatile boolean cancelled;
  private volatile RepairProgress.State state = RepairProgress.State.RUNNING;
  private volatile int rangesDone;
  private volatile long leavesDiffering;
  private volatile long finishedAt;
  private volatile String message = "";
  private final List<String> skipped = new ArrayList<>();

  RepairJob(
      String id,
      ClusterView view,
      ReplicaCalls calls,
      List<TokenRange> ranges,
      int depth,
      double intensity,
      RepairHistory history,
      Clock clock) {
    this.id = id;
    this.view = view;
    this.calls = calls;
    this.ranges = List.copyOf(ranges);
    this.depth = MerkleTree.checkDepth(depth);
    this.throttle = new Throttle(intensity, () -> cancelled);
    this.history = history;
    this.clock = clock;
    this.sync = new RangeSync(calls);
    this.startedAt = clock.millis();
  }

  String id() {
    return id;
  }

  void cancel() {
    cancelled = true;
  }

  RepairProgress progress() {
    return new RepairProgress(
        id,
        state,
        ranges.size(),
        rangesDone,
        leavesDiffering,
        sync.rowsSent(),
        sync.bytesSent(),
        startedAt,
        finishedAt,
        throttle.intensity(),
        message);
  }

  @Override
  public void run() {
    try {
      int batch = Math.max(1, (2 << 20) / MerkleTreeFormat.size(depth));
      for (int i = 0; i < ranges.size() && !cancelled; i += batch) {
        long start = System.nanoTime();
        repairBatch(ranges.subList(i, Math.min(ranges.size(), i + batch)));
        throttle.pauseAfter(start);
      }
      if (cancelled) {
        finish(RepairProgress.State.CANCELLED, "cancelled after " + rangesDone + " ranges");
      } else if (!skipped.isEmpty()) {
        finish(
            RepairProgress.State.FAILED,
            skipped.size() + " range(s) not repaired: " + String.join("; ", skipped));
      } else {
        finish(RepairProgress.State.COMPLETED, "");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      finish(RepairProgress.State.CANCELLED, "interrupted (node shutting down)");
    } catch (IOException | RuntimeException e) {
      logger.warn("repair {} failed", id, e);
      finish(RepairProgress.State.FAILED, e.getMessage());
    }
  }

  private void finish(RepairProgress.State s, String why) {
    message = why;
    finishedAt = clock.millis();
    state = s;
    logger.info(
        "repair {} {}: {} of {} ranges, {} leaves differed, {} rows repaired{}",
        id,
        s,
        rangesDone,
        ranges.size(),
        leavesDiffering,
        sync.rowsSent(),
        why.isEmpty() ? "" : " (" + why + ")");
  }

  private void repairBatch(List<TokenRange> batch) throws IOException {
    TokenRing ring = view.ring();
    int rf = view.replicationFactor();
    long treesAt = clock.millis();
    // which replicas hold each range, and which ranges to ask each replica for
    var replicasOf = new LinkedHashMap<TokenRange, List<String>>();
    var askOf = new LinkedHashMap<String, List<TokenRange>>();
    for (TokenRange r : batch) {
      List<String> replicas = ring.replicasFor(r.end(), rf);
      var down = replicas.stream().filter(h -> !view.isAlive(h)).toList();
      if (!down.isEmpty()) {
        skipped.add(r + ": replica(s) " + down + " down");
        continue;
      }
      replicasOf.put(r, replicas);
      replicas.forEach(h -> askOf.computeIfAbsent(h, x -> new ArrayList<>()).add(r));
    }
    var trees = new HashMap<String, Map<TokenRange, MerkleTree>>();
    for (var e : askOf.entrySet()) {
      trees.put(e.getKey(), fetchTrees(e.getKey(), e.getValue()));
    }
    for (var e : replicasOf.entrySet()) {
      if (cancelled) {
        return;
      }
      repairRange(e.getKey(), e.getValue(), trees, treesAt);
    }
  }

  private Map<TokenRange, MerkleTree> fetchTrees(String host, List<TokenRange> asked)
      throws IOException {
    var request =
        MerkleTreeRequest.newBuilder()
            .setFromHostId(calls.localHostId())
            .addAllRanges(StoredRows.toProtoRanges(asked))
            .setDepth(depth)
            .build();
    MerkleTreeReply reply = RangeSync.await(calls.merkleTree(host, request), "MerkleTree " + host);
    if (reply.getTreesCount() != asked.size()) {
      throw new IOException(
          host + " answered " + reply.getTreesCount() + " trees for " + asked.size() + " ranges");
    }
    var out = new HashMap<TokenRange, MerkleTree>();
    for (int i = 0; i < asked.size(); i++) {
      MerkleTree t;
      try {
        t = MerkleTreeFormat.decode(reply.getTrees(i).toByteArray());
      } catch (IllegalArgumentException e) {
        throw new IOException("Merkle tree from " + host + " is damaged: " + e.getMessage(), e);
      }
      if (!t.range().equals(asked.get(i))) {
        throw new IOException(host + " answered a tree of " + t.range() + " for " + asked.get(i));
      }
      out.put(asked.get(i), t);
    }
    return out;
  }

  private void repairRange(
      TokenRange range,
      List<String> replicas,
      Map<String, Map<TokenRange, MerkleTree>> trees,
      long treesAt)
      throws IOException {
    MerkleTree first = trees.get(replicas.get(0)).get(range);
    var differing = new TreeSet<Integer>();
    for (String h : replicas.subList(1, replicas.size())) {
      differing.addAll(first.difference(trees.get(h).get(range)));
    }
    leavesDiffering += differing.size();
    long rows = 0;
    var leaves = new ArrayList<>(differing);
    for (int i = 0; i < leaves.size() && !cancelled; i += LEAVES_PER_SYNC) {
      var subranges = new ArrayList<TokenRange>();
      for (int leaf : leaves.subList(i, Math.min(leaves.size(), i + LEAVES_PER_SYNC))) {
        subranges.add(first.leafRange(leaf));
      }
      rows += sync.sync(replicas, subranges);
    }
    if (!cancelled) {
      history.record(range, treesAt, rows, replicas);
      rangesDone++;
    }
  }
}
