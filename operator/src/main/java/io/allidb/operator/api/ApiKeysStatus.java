package io.allidb.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.List;

/** API keys as the operator last wrote them. The key material lives only in Secrets. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"generation", "nodesOnGeneration", "rotation", "tenants"})
public class ApiKeysStatus {
  @JsonPropertyDescription("Generation of the node key-set Secret.")
  private Long generation;

  @JsonPropertyDescription("Nodes that report having loaded that generation.")
  private Integer nodesOnGeneration;

  @JsonPropertyDescription("The last allidb.io/rotate-api-keys value acted on.")
  private String rotation;

  @JsonPropertyDescription("One entry per tenant.")
  private List<TenantKeyStatus> tenants = new ArrayList<>();

  public Long getGeneration() {
    return generation;
  }

  public void setGeneration(Long generation) {
    this.generation = generation;
  }

  public Integer getNodesOnGeneration() {
    return nodesOnGeneration;
  }

  public void setNodesOnGeneration(Integer nodesOnGeneration) {
    this.nodesOnGeneration = nodesOnGeneration;
  }

  public String getRotation() {
    return rotation;
  }

  public void setRotation(String rotation) {
    this.rotation = rotation;
  }

  public List<TenantKeyStatus> getTenants() {
    return tenants;
  }

  public void setTenants(List<TenantKeyStatus> tenants) {
    this.tenants = tenants;
  }

  /** One tenant's keys (ids only; keys live in Secrets). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({
    "tenant",
    "keyId",
    "issuedAt",
    "expiresAt",
    "pendingKeyId",
    "retiringKeyId",
    "retiringUntil"
  })
  public static class TenantKeyStatus {
    @JsonPropertyDescription("Tenant name.")
    private String tenant;

    @JsonPropertyDescription("Id of the key in the tenant Secret (what applications use).")
    private String keyId;

    @JsonPropertyDescription("When that key was issued (RFC 3339).")
    private String issuedAt;

    @JsonPropertyDescription("When that key stops working (RFC 3339); empty for never.")
    private String expiresAt;

    @JsonPropertyDescription(
        "A new key the nodes are loading; it reaches the tenant Secret once every node has it.")
    private String pendingKeyId;

    @JsonPropertyDescription("The previous key, still accepted during the overlap.")
    private String retiringKeyId;

    @JsonPropertyDescription(
        "End of the overlap: the previous key is refused from then on (RFC 3339).")
    private String retiringUntil;

    public String getTenant() {
      return tenant;
    }

    public void setTenant(String tenant) {
      this.tenant = tenant;
    }

    public String getKeyId() {
      return keyId;
    }

    public void setKeyId(String keyId) {
      this.keyId = keyId;
    }

    public String getIssuedAt() {
      return issuedAt;
    }

    public void setIssuedAt(String issuedAt) {
      this.issuedAt = issuedAt;
    }

    public String getExpiresAt() {
      return expiresAt;
    }

    public void setExpiresAt(String expiresAt) {
      this.expiresAt = expiresAt;
    }

    public String getPendingKeyId() {
      return pendingKeyId;
    }

    public void setPendingKeyId(String pendingKeyId) {
      this.pendingKeyId = pendingKeyId;
    }

    public String getRetiringKeyId() {
      return retiringKeyId;
    }

    public void setRetiringKeyId(String retiringKeyId) {
      this.retiringKeyId = retiringKeyId;
    }

    public String getRetiringUntil() {
      return retiringUntil;
    }

    public void setRetiringUntil(String retiringUntil) {
      this.retiringUntil = retiringUntil;
    }
  }
}
