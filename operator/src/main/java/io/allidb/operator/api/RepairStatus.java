package io.allidb.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Repair progress. The round in flight is recorded here range by range, so a restarted operator
 * resumes it; a topology change re-plans the ranges not yet done.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "round",
  "roundStartedAt",
  "roundDeadline",
  "ringEpoch",
  "rangesTotal",
  "rangesDone",
  "doneRanges",
  "running",
  "pausedReason",
  "lastCompleted",
  "lastScheduled",
  "request"
})
public class RepairStatus {
  @JsonPropertyDescription("Id of the round in flight (its start time), empty when idle.")
  private String round;

  @JsonPropertyDescription("RFC 3339.")
  private String roundStartedAt;

  @JsonPropertyDescription("Every range of the round must be repaired by then (RFC 3339).")
  private String roundDeadline;

  @JsonPropertyDescription("Ring epoch the round's ranges were planned at.")
  private Long ringEpoch;

  @JsonPropertyDescription("Ranges in the round.")
  private Integer rangesTotal;

  @JsonPropertyDescription("Ranges repaired in the round.")
  private Integer rangesDone;

  @JsonPropertyDescription("Ranges (start,end] repaired in this round.")
  private List<String> doneRanges = new ArrayList<>();

  @JsonPropertyDescription("Repairs in flight.")
  private List<RunningRepair> running = new ArrayList<>();

  @JsonPropertyDescription(
      "Why the round waits (ring change, rolling restart), empty when it runs.")
  private String pausedReason;

  @JsonPropertyDescription("When the last round completed (RFC 3339).")
  private String lastCompleted;

  @JsonPropertyDescription("The last schedule time a round was started for (RFC 3339).")
  private String lastScheduled;

  @JsonPropertyDescription("The last allidb.io/repair-now value acted on.")
  private String request;

  public String getRound() {
    return round;
  }

  public void setRound(String round) {
    this.round = round;
  }

  public String getRoundStartedAt() {
    return roundStartedAt;
  }

  public void setRoundStartedAt(String roundStartedAt) {
    this.roundStartedAt = roundStartedAt;
  }

  public String getRoundDeadline() {
    return roundDeadline;
  }

  public void setRoundDeadline(String roundDeadline) {
    this.roundDeadline = roundDeadline;
  }

  public Long getRingEpoch() {
    return ringEpoch;
  }

  public void setRingEpoch(Long ringEpoch) {
    this.ringEpoch = ringEpoch;
  }

  public Integer getRangesTotal() {
    return rangesTotal;
  }

  public void setRangesTotal(Integer rangesTotal) {
    this.rangesTotal = rangesTotal;
  }

  public Integer getRangesDone() {
    return rangesDone;
  }

  public void setRangesDone(Integer rangesDone) {
    this.rangesDone = rangesDone;
  }

  public List<String> getDoneRanges() {
    return doneRanges;
  }

  public void setDoneRanges(List<String> doneRanges) {
    this.doneRanges = doneRanges;
  }

  public List<RunningRepair> getRunning() {
    return running;
  }

  public void setRunning(List<RunningRepair> running) {
    this.running = running;
  }

  public String getPausedReason() {
    return pausedReason;
  }

  public void setPausedReason(String pausedReason) {
    this.pausedReason = pausedReason;
  }

  public String getLastCompleted() {
    return lastCompleted;
  }

  public void setLastCompleted(String lastCompleted) {
    this.lastCompleted = lastCompleted;
  }

  public String getLastScheduled() {
    return lastScheduled;
  }

  public void setLastScheduled(String lastScheduled) {
    this.lastScheduled = lastScheduled;
  }

  public String getRequest() {
    return request;
  }

  public void setRequest(String request) {
    this.request = request;
  }

  /** A repair the operator started on one node. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"pod", "repairId", "ranges", "startedAt"})
  public static class RunningRepair {
    @JsonPropertyDescription("Node that coordinates it.")
    private String pod;

    @JsonPropertyDescription("The node's id for it.")
    private String repairId;

    @JsonPropertyDescription("Token ranges (start,end] it covers.")
    private List<String> ranges = new ArrayList<>();

    @JsonPropertyDescription("RFC 3339.")
    private String startedAt;

    public String getPod() {
      return pod;
    }

    public void setPod(String pod) {
      this.pod = pod;
    }

    public String getRepairId() {
      return repairId;
    }

    public void setRepairId(String repairId) {
      this.repairId = repairId;
    }

    public List<String> getRanges() {
      return ranges;
    }

    public void setRanges(List<String> ranges) {
      this.ranges = ranges;
    }

    public String getStartedAt() {
      return startedAt;
    }

    public void setStartedAt(String startedAt) {
      this.startedAt = startedAt;
    }
  }
}
