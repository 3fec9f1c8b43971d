package io.allidb.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Objects;

/** One ring member as the nodes see it, joined to the pod that runs it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"pod", "hostId", "rack", "state"})
public class RingMember {

  @JsonPropertyDescription("Pod running the node.")
  private String pod;

  @JsonPropertyDescription("The node's host id: its identity on the ring, stable across restarts.")
  private String hostId;

  @JsonPropertyDescription("Rack the node belongs to.")
  private String rack;

  @JsonPropertyDescription("JOINING, NORMAL, LEAVING, LEFT, DOWN or UNKNOWN.")
  private RingMemberState state;

  public RingMember() {}

  public RingMember(String pod, String hostId, String rack, RingMemberState state) {
    this.pod = pod;
    this.hostId = hostId;
    this.rack = rack;
    this.state = state;
  }

  public String getPod() {
    return pod;
  }

  public void setPod(String pod) {
    this.pod = pod;
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

  public RingMemberState getState() {
    return state;
  }

  public void setState(RingMemberState state) {
    this.state = state;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RingMember m
        && Objects.equals(pod, m.pod)
        && Objects.equals(hostId, m.hostId)
        && Objects.equals(rack, m.rack)
        && state == m.state;
  }

  @Override
  public int hashCode() {
    return Objects.hash(pod, hostId, rack, state);
  }

  @Override
  public String toString() {
    return pod + "(" + hostId + ", " + rack + ", " + state + ")";
  }
}
