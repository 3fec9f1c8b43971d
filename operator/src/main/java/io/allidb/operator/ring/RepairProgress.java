package io.allidb.operator.ring;

/**
 * One repair on one node (admin {@code RepairReport}).
 *
 * @param repairId empty when the node has run none
 */
public record RepairProgress(
    String repairId,
    State state,
    int rangesTotal,
    int rangesDone,
    long rowsRepaired,
    String message) {

  public enum State {
    NONE,
    RUNNING,
    COMPLETED,
    CANCELLED,
    FAILED
  }
}
