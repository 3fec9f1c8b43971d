package io.allidb.dataplane.cluster.repair;

/**
 * A snapshot of one repair's progress, as the admin API reports it.
 *
 * @param leavesDiffering Merkle leaves that differed between some replicas
 * @param rowsRepaired rows sent to a replica that lacked them or held an older version
 */
public record RepairProgress(
    String id,
    State state,
    int rangesTotal,
    int rangesDone,
    long leavesDiffering,
    long rowsRepaired,
    long bytesRepaired,
    long startedAtMillis,
    long finishedAtMillis,
    double intensity,
    String message) {

  public enum State {
    RUNNING,
    COMPLETED,
    CANCELLED,
    FAILED
  }

  public boolean finished() {
    return state != State.RUNNING;
  }
}
