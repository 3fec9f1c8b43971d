package io.allidb.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

/** The persistent volume each node gets. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"size", "storageClassName"})
public class StorageSpec {

  @Default("10Gi")
  @Pattern("^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$")
  @JsonPropertyDescription("Volume size as a Kubernetes quantity, e.g. 100Gi.")
  private String size = "10Gi";

  @JsonPropertyDescription("StorageClass of the volumes; empty uses the cluster default.")
  private String storageClassName;

  public StorageSpec() {}

  public StorageSpec(String size, String storageClassName) {
    this.size = size;
    this.storageClassName = storageClassName;
  }

  public String getSize() {
    return size;
  }

  public void setSize(String size) {
    this.size = size;
  }

  public String getStorageClassName() {
    return storageClassName;
  }

  public void setStorageClassName(String storageClassName) {
    this.storageClassName = storageClassName;
  }
}
