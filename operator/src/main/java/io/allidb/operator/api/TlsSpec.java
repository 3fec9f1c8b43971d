package io.allidb.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Transport security. The fields are what the day-2 issue (PKI, rotation) consumes; the core
 * operator only renders them into pod mounts and config names, never key material.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "enabled",
  "issuer",
  "internodeSecretName",
  "clientSecretName",
  "certificateLifetime"
})
@ValidationRule(
    value =
        "!has(self.enabled) || !self.enabled || !has(self.issuer) || self.issuer != 'user-provided'"
            + " || (has(self.internodeSecretName) && has(self.clientSecretName))",
    message = "user-provided certificates need internodeSecretName and clientSecretName")
public class TlsSpec {

  @Default("false")
  @JsonPropertyDescription("Serve gRPC/REST over TLS and use mTLS between nodes.")
  private Boolean enabled = false;

  @Default("operator")
  @JsonPropertyDescription(
      "operator: the operator runs the CAs and issues certificates; user-provided: the named"
          + " Secrets are supplied by you or cert-manager.")
  private CertificateIssuer issuer = CertificateIssuer.OPERATOR;

  @JsonPropertyDescription(
      "Secret with the internode certificate material (tls.crt, tls.key, ca.crt). Defaults to"
          + " <cluster>-internode-tls when the operator issues.")
  private String internodeSecretName;

  @JsonPropertyDescription(
      "Secret with the client-facing certificate material. Defaults to <cluster>-client-tls when"
          + " the operator issues.")
  private String clientSecretName;

  @JsonPropertyDescription(
      "Lifetime of operator-issued leaf certificates as a Go duration (e.g. 2160h); they renew at"
          + " two thirds of it.")
  private String certificateLifetime;

  public Boolean getEnabled() {
    return enabled;
  }

  public void setEnabled(Boolean enabled) {
    this.enabled = enabled;
  }

  public CertificateIssuer getIssuer() {
    return issuer;
  }

  public void setIssuer(CertificateIssuer issuer) {
    this.issuer = issuer;
  }

  public String getInternodeSecretName() {
    return internodeSecretName;
  }

  public void setInternodeSecretName(String internodeSecretName) {
    this.internodeSecretName = internodeSecretName;
  }

  public String getClientSecretName() {
    return clientSecretName;
  }

  public void setClientSecretName(String clientSecretName) {
    this.clientSecretName = clientSecretName;
  }

  public String getCertificateLifetime() {
    return certificateLifetime;
  }

  public void setCertificateLifetime(String certificateLifetime) {
    this.certificateLifetime = certificateLifetime;
  }
}
