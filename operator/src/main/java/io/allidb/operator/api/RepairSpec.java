package io.allidb.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Anti-entropy repair orchestration (executed by the day-2 issue). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"enabled", "schedule", "intensity", "parallelism", "deadline"})
public class RepairSpec {

  @Default("true")
  @JsonPropertyDescription("Run scheduled repairs.")
  private Boolean enabled = true;

  @Default("0 2 * * *")
  @JsonPropertyDescription("Cron schedule (5 fields, UTC) at which a repair round starts.")
  private String schedule = "0 2 * * *";

  @Min(0.01)
  @Max(1.0)
  @Default("0.5")
  @JsonPropertyDescription(
      "Share of time a node spends repairing vs pausing between ranges (0.01-1); lower is gentler"
          + " on foreground traffic.")
  private Double intensity = 0.5;

  @Min(1)
  @Default("1")
  @JsonPropertyDescription("Replica sets repaired at once; never two repairs on one replica set.")
  private Integer parallelism = 1;

  @Default("168h")
  @JsonPropertyDescription(
      "Every range must be repaired within this Go duration; keep it shorter than gc_grace.")
  private String deadline = "168h";

  public Boolean getEnabled() {
    return enabled;
  }

  public void setEnabled(Boolean enabled) {
    this.enabled = enabled;
  }

  public String getSchedule() {
    return schedule;
  }

  public void setSchedule(String schedule) {
    this.schedule = schedule;
  }

  public Double getIntensity() {
    return intensity;
  }

  public void setIntensity(Double intensity) {
    this.intensity = intensity;
  }

  public Integer getParallelism() {
    return parallelism;
  }

  public void setParallelism(Integer parallelism) {
    this.parallelism = parallelism;
  }

  public String getDeadline() {
    return deadline;
  }

  public void setDeadline(String deadline) {
    this.deadline = deadline;
  }
}
