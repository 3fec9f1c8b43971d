package io.allidb.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;

/** One rack: a failure domain with its own StatefulSet. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"name", "replicas", "zone", "affinity", "tolerations"})
public class RackSpec {

  /** The rack used when the spec gives a flat replica count. */
  public static final String DEFAULT_RACK = "default";

  @Required
  @Pattern("^[a-z0-9]([-a-z0-9]{0,18}[a-z0-9])?$")
  @JsonPropertyDescription(
      "Rack name (DNS label, at most 20 characters); part of the StatefulSet and pod names.")
  private String name;

  @Min(0)
  @Default("0")
  @JsonPropertyDescription("Nodes in this rack.")
  private Integer replicas = 0;

  @JsonPropertyDescription(
      "Zone this rack's pods are pinned to (node label topology.kubernetes.io/zone); empty means"
          + " any zone.")
  private String zone;

  @JsonPropertyDescription(
      "Extra scheduling constraints for this rack's pods, merged with the operator's zone pin and"
          + " hostname anti-affinity.")
  private Affinity affinity;

  @JsonPropertyDescription("Tolerations for this rack's pods.")
  private List<Toleration> tolerations;

  public RackSpec() {}

  public RackSpec(String name, int replicas, String zone) {
    this.name = name;
    this.replicas = replicas;
    this.zone = zone;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
  }

  public String getZone() {
    return zone;
  }

  public void setZone(String zone) {
    this.zone = zone;
  }

  public Affinity getAffinity() {
    return affinity;
  }

  public void setAffinity(Affinity affinity) {
    this.affinity = affinity;
  }

  public List<Toleration> getTolerations() {
    return tolerations;
  }

  public void setTolerations(List<Toleration> tolerations) {
    this.tolerations = tolerations;
  }
}
