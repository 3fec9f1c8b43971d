package io.allidb.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Objects;

/**
 * The ring operation in flight, persisted in status so the operator resumes it after a restart or a
 * change of the desired size. The target is keyed by pod name plus pod UID and host id, so a
 * recreated pod or a re-used name is never mistaken for the node the operation started on.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "type",
  "targetPod",
  "targetPodUid",
  "hostId",
  "rack",
  "phase",
  "startedAt",
  "generation"
})
public class RingOperation {

  @JsonPropertyDescription("Join, Decommission, Restart or Replace.")
  private RingOperationType type;

  @JsonPropertyDescription("Pod the operation acts on.")
  private String targetPod;

  @JsonPropertyDescription(
      "UID of the target pod when the operation started (empty for a join: the pod did not exist).")
  private String targetPodUid;

  @JsonPropertyDescription("Host id of the target node when known.")
  private String hostId;

  @JsonPropertyDescription("Rack of the target pod.")
  private String rack;

  @JsonPropertyDescription("Requested, Joining, Leaving, Shrinking, Restarting or Replacing.")
  private RingOperationPhase phase;

  @JsonPropertyDescription("When the operation was decided (RFC 3339).")
  private String startedAt;

  @JsonPropertyDescription("metadata.generation of the AlliCluster that asked for it.")
  private Long generation;

  public RingOperation() {}

  public RingOperation(
      RingOperationType type,
      String targetPod,
      String rack,
      RingOperationPhase phase,
      String startedAt,
      Long generation) {
    this.type = type;
    this.targetPod = targetPod;
    this.rack = rack;
    this.phase = phase;
    this.startedAt = startedAt;
    this.generation = generation;
  }

  /** A copy in another phase; operations are treated as values by the planner. */
  public RingOperation withPhase(RingOperationPhase newPhase) {
    var copy = copy();
    copy.phase = newPhase;
    return copy;
  }

  /** A copy that remembers the target's identity. */
  public RingOperation withTarget(String podUid, String newHostId) {
    var copy = copy();
    copy.targetPodUid = podUid;
    copy.hostId = newHostId;
    return copy;
  }

  private RingOperation copy() {
    var copy = new RingOperation(type, targetPod, rack, phase, startedAt, generation);
    copy.targetPodUid = targetPodUid;
    copy.hostId = hostId;
    return copy;
  }

  public RingOperationType getType() {
    return type;
  }

  public void setType(RingOperationType type) {
    this.type = type;
  }

  public String getTargetPod() {
    return targetPod;
  }

  public void setTargetPod(String targetPod) {
    this.targetPod = targetPod;
  }

  public String getTargetPodUid() {
    return targetPodUid;
  }

  public void setTargetPodUid(String targetPodUid) {
    this.targetPodUid = targetPodUid;
  }

  public String getHostId() {
    return hostId;
  }

  public void setHostId(String hostId) {
    this.hostId = hostId;
  }

  public String getRack() {
    return rack;
  }

  public void setRack(String rack) {
    this.rack = rack;
  }

  public RingOperationPhase getPhase() {
    return phase;
  }

  public void setPhase(RingOperationPhase phase) {
    this.phase = phase;
  }

  public String getStartedAt() {
    return startedAt;
  }

  public void setStartedAt(String startedAt) {
    this.startedAt = startedAt;
  }

  public Long getGeneration() {
    return generation;
  }

  public void setGeneration(Long generation) {
    this.generation = generation;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RingOperation r
        && type == r.type
        && phase == r.phase
        && Objects.equals(targetPod, r.targetPod)
        && Objects.equals(targetPodUid, r.targetPodUid)
        && Objects.equals(hostId, r.hostId)
        && Objects.equals(rack, r.rack)
        && Objects.equals(startedAt, r.startedAt)
        && Objects.equals(generation, r.generation);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, phase, targetPod, targetPodUid, hostId, rack, startedAt, generation);
  }

  @Override
  public String toString() {
    return type + " " + targetPod + " " + phase;
  }
}
