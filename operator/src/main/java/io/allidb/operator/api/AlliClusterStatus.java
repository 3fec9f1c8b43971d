package io.allidb.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the operator observed and what it is doing. Written only by the operator. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "observedGeneration",
  "conditions",
  "replicas",
  "readyReplicas",
  "ringState",
  "ringMembers",
  "ringOperation",
  "rolloutReason",
  "replacedNode",
  "certificates",
  "apiKeys",
  "repair"
})
public class AlliClusterStatus {

  @JsonPropertyDescription("metadata.generation of the spec this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription(
      "Ready, Available, Progressing, Degraded, RingStable, Scaling, CertificatesValid,"
          + " ApiKeysReady and RepairHealthy, in Kubernetes Condition shape.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("Pods that exist for this cluster.")
  private Integer replicas;

  @JsonPropertyDescription("Pods that are ready.")
  private Integer readyReplicas;

  @JsonPropertyDescription(
      "One word for kubectl get: Stable, Joining, Decommissioning, Restarting, Unknown, Paused.")
  private String ringState;

  @JsonPropertyDescription("Ring members as the nodes report them.")
  private List<RingMember> ringMembers = new ArrayList<>();

  @JsonPropertyDescription(
      "The ring operation in flight, if any; the operator resumes it from here.")
  private RingOperation ringOperation;

  @JsonPropertyDescription(
      "Why pods are being restarted (which part of the pod template changed), empty when none.")
  private String rolloutReason;

  @JsonPropertyDescription(
      "The allidb.io/replace-node value last carried out (the annotation is acted on while it"
          + " differs); cleared when the annotation is removed.")
  private String replacedNode;

  @JsonPropertyDescription("Certificates and CA rotation progress (operator-issued TLS).")
  private CertificatesStatus certificates;

  @JsonPropertyDescription("API key generations and rotation progress.")
  private ApiKeysStatus apiKeys;

  @JsonPropertyDescription("Repair progress; the operator resumes a round from here.")
  private RepairStatus repair;

  public CertificatesStatus getCertificates() {
    return certificates;
  }

  public void setCertificates(CertificatesStatus certificates) {
    this.certificates = certificates;
  }

  public ApiKeysStatus getApiKeys() {
    return apiKeys;
  }

  public void setApiKeys(ApiKeysStatus apiKeys) {
    this.apiKeys = apiKeys;
  }

  public RepairStatus getRepair() {
    return repair;
  }

  public void setRepair(RepairStatus repair) {
    this.repair = repair;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
  }

  public Integer getReadyReplicas() {
    return readyReplicas;
  }

  public void setReadyReplicas(Integer readyReplicas) {
    this.readyReplicas = readyReplicas;
  }

  public String getRingState() {
    return ringState;
  }

  public void setRingState(String ringState) {
    this.ringState = ringState;
  }

  public List<RingMember> getRingMembers() {
    return ringMembers;
  }

  public void setRingMembers(List<RingMember> ringMembers) {
    this.ringMembers = ringMembers;
  }

  public RingOperation getRingOperation() {
    return ringOperation;
  }

  public void setRingOperation(RingOperation ringOperation) {
    this.ringOperation = ringOperation;
  }

  public String getRolloutReason() {
    return rolloutReason;
  }

  public void setRolloutReason(String rolloutReason) {
    this.rolloutReason = rolloutReason;
  }

  public String getReplacedNode() {
    return replacedNode;
  }

  public void setReplacedNode(String replacedNode) {
    this.replacedNode = replacedNode;
  }
}
