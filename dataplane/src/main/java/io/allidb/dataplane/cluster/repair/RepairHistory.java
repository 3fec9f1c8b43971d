package io.allidb.dataplane.cluster.repair;

import io.allidb.dataplane.cluster.ring.TokenRange;
import io.allidb.dataplane.cluster.state.RangeRepairRecord;
import io.allidb.dataplane.cluster.state.RepairHistoryState;
import io.allidb.dataplane.cluster.streaming.StateFileFormat;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The last successful repair of each token range this node repaired, kept in {@code
 * repair-history.state} ({@link StateFileFormat}) and rewritten after every range, so the history
 * survives restarts and an operator can see which ranges are overdue (gc_grace is only safe when
 * every range was repaired within it). Thread-safe.
 */
public final class RepairHistory {
  static final String FILE = "repair-history.state";

  private final Path file;
  private final Map<TokenRange, RangeRepairRecord> ranges = new LinkedHashMap<>();

  private RepairHistory(Path file) {
    this.file = file;
  }

  /**
   * Loads the history in {@code dir}.
   *
   * @throws IOException when the file exists but is damaged (reported, not reset)
   */
  public static RepairHistory open(Path dir) throws IOException {
    var h = new RepairHistory(dir.resolve(FILE));
    StateFileFormat.read(h.file, RepairHistoryState.parser())
        .ifPresent(
            s ->
                s.getRangesList()
                    .forEach(r -> h.ranges.put(new TokenRange(r.getStart(), r.getEnd()), r)));
    return h;
  }

  synchronized void record(
      TokenRange range, long repairedAtMillis, long rows, List<String> replicas)
      throws IOException {
    ranges.put(
        range,
        RangeRepairRecord.newBuilder()
            .setStart(range.start())
            .setEnd(range.end())
            .setLastRepairedMillis(repairedAtMillis)
            .setRowsRepaired(rows)
            .addAllReplicas(replicas)
            .build());
    StateFileFormat.write(
        file, RepairHistoryState.newBuilder().addAllRanges(ranges.values()).build());
  }

  /** Every range repaired so far, in the order first repaired. */
  public synchronized List<RangeRepairRecord> ranges() {
    return new ArrayList<>(ranges.values());
  }
}
