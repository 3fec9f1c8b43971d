package io.allidb.operator.pki;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Where a CA key replacement stands. Each phase ends only when every node reports the certificate
 * generation that carried it (hot reload, no restart), so no node ever meets a certificate it does
 * not trust:
 *
 * <ol>
 *   <li>{@link #TRUST_NEW}: the new CA joins every trust bundle; leaves still come from the old CA.
 *   <li>{@link #SIGN_WITH_NEW}: the new CA signs every leaf; the old CA is still trusted.
 *   <li>{@link #STEADY}: the old CA leaves the bundles.
 * </ol>
 */
public enum CaPhase {
  @JsonProperty("Steady")
  STEADY,
  @JsonProperty("TrustNew")
  TRUST_NEW,
  @JsonProperty("SignWithNew")
  SIGN_WITH_NEW
}
