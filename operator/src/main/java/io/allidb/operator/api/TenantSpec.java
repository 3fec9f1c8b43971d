package io.allidb.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A tenant that gets API keys. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"name", "secretName", "keyLifetime", "rotationPeriod"})
public class TenantSpec {

  @Required
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
  @Size(max = 63)
  @JsonPropertyDescription("Tenant id as the data plane knows it.")
  private String name;

  @JsonPropertyDescription(
      "Secret that receives this tenant's client key for applications. Defaults to"
          + " <cluster>-tenant-<name>.")
  private String secretName;

  @JsonPropertyDescription("How long a key is valid, as a Go duration (e.g. 720h).")
  private String keyLifetime;

  @JsonPropertyDescription(
      "How often a new key is issued, as a Go duration; shorter than keyLifetime.")
  private String rotationPeriod;

  public TenantSpec() {}

  public TenantSpec(String name) {
    this.name = name;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getSecretName() {
    return secretName;
  }

  public void setSecretName(String secretName) {
    this.secretName = secretName;
  }

  public String getKeyLifetime() {
    return keyLifetime;
  }

  public void setKeyLifetime(String keyLifetime) {
    this.keyLifetime = keyLifetime;
  }

  public String getRotationPeriod() {
    return rotationPeriod;
  }

  public void setRotationPeriod(String rotationPeriod) {
    this.rotationPeriod = rotationPeriod;
  }
}
