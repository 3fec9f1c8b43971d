package io.allidb.operator.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Who issues the cluster's certificates. */
public enum CertificateIssuer {
  /** The operator runs the CAs and issues, renews and rotates every certificate (issue 8). */
  @JsonProperty("operator")
  OPERATOR,
  /** The user (or cert-manager) provides the Secrets; the operator validates and reports. */
  @JsonProperty("user-provided")
  USER_PROVIDED
}
