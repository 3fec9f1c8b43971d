package io.allidb.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Certificates as the operator last saw them. Informational: the rollout state itself lives in the
 * CA Secrets (so it is written atomically with the key material) and is mirrored here.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"generation", "nodesOnGeneration", "earliestExpiry", "authorities"})
public class CertificatesStatus {

  @JsonPropertyDescription("Generation of the TLS material in the Secrets.")
  private Long generation;

  @JsonPropertyDescription("Nodes that report having loaded that generation.")
  private Integer nodesOnGeneration;

  @JsonPropertyDescription("When the first certificate expires (RFC 3339).")
  private String earliestExpiry;

  @JsonPropertyDescription("One entry per CA (internode, client).")
  private List<AuthorityStatus> authorities = new ArrayList<>();

  /** One CA. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"purpose", "phase", "notAfter", "rotation"})
  public static class AuthorityStatus {
    @JsonPropertyDescription("internode or client.")
    private String purpose;

    @JsonPropertyDescription(
        "Steady, TrustNew (new CA being added to every trust bundle) or SignWithNew (leaves"
            + " re-issued by the new CA; the old one is still trusted).")
    private String phase;

    @JsonPropertyDescription("Expiry of the signing CA certificate (RFC 3339).")
    private String notAfter;

    @JsonPropertyDescription("The last allidb.io/rotate-ca value acted on.")
    private String rotation;

    public AuthorityStatus() {}

    public AuthorityStatus(String purpose, String phase, String notAfter, String rotation) {
      this.purpose = purpose;
      this.phase = phase;
      this.notAfter = notAfter;
      this.rotation = rotation;
    }

    public String getPurpose() {
      return purpose;
    }

    public void setPurpose(String purpose) {
      this.purpose = purpose;
    }

    public String getPhase() {
      return phase;
    }

    public void setPhase(String phase) {
      this.phase = phase;
    }

    public String getNotAfter() {
      return notAfter;
    }

    public void setNotAfter(String notAfter) {
      this.notAfter = notAfter;
    }

    public String getRotation() {
      return rotation;
    }

    public void setRotation(String rotation) {
      this.rotation = rotation;
    }
  }

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

  public String getEarliestExpiry() {
    return earliestExpiry;
  }

  public void setEarliestExpiry(String earliestExpiry) {
    this.earliestExpiry = earliestExpiry;
  }

  public List<AuthorityStatus> getAuthorities() {
    return authorities;
  }

  public void setAuthorities(List<AuthorityStatus> authorities) {
    this.authorities = authorities;
  }
}
