package io.allidb.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Default;

/**
 * What happens to node volumes when nodes go away. Two separate choices because users want
 * different answers: a scale-down has already streamed the data away, a deletion has not.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"onScaleDown", "onDelete"})
public class PvcRetentionPolicy {

  @Default("Retain")
  @JsonPropertyDescription(
      "After a node is decommissioned (LEFT) and its pod removed: Retain keeps the claim, Delete"
          + " removes it.")
  private PvcRetention onScaleDown = PvcRetention.Retain;

  @Default("Retain")
  @JsonPropertyDescription(
      "When the AlliCluster is deleted: Retain keeps every claim (the data), Delete removes them.")
  private PvcRetention onDelete = PvcRetention.Retain;

  public PvcRetentionPolicy() {}

  public PvcRetentionPolicy(PvcRetention onScaleDown, PvcRetention onDelete) {
    this.onScaleDown = onScaleDown;
    this.onDelete = onDelete;
  }

  public PvcRetention getOnScaleDown() {
    return onScaleDown;
  }

  public void setOnScaleDown(PvcRetention onScaleDown) {
    this.onScaleDown = onScaleDown;
  }

  public PvcRetention getOnDelete() {
    return onDelete;
  }

  public void setOnDelete(PvcRetention onDelete) {
    this.onDelete = onDelete;
  }
}
