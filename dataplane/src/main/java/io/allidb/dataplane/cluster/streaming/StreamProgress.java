package io.allidb.dataplane.cluster.streaming;

/**
 * Progress of a bootstrap or decommission, as the admin API reports it.
 *
 * @param message why it failed, or what it is doing
 */
public record StreamProgress(
    Phase phase,
    int rangesTotal,
    int rangesDone,
    long rowsStreamed,
    long bytesStreamed,
    String message) {

  public enum Phase {
    NOT_STARTED,
    STREAMING,
    COMPLETED,
    FAILED
  }

  public static StreamProgress notStarted() {
    return new StreamProgress(Phase.NOT_STARTED, 0, 0, 0, 0, "");
  }
}
