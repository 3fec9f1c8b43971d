/**
 * The operator's PKI (issue 8): per cluster two certificate authorities (internode, client), a leaf
 * per pod, renewal, phased CA key replacement and validation of user-provided certificates. The
 * planner ({@link io.allidb.operator.pki.CertificatePlanner}) is pure and clock-driven; {@link
 * io.allidb.operator.pki.CertificateStep} applies its plan to Secrets and nodes. Secret layouts:
 * {@link io.allidb.operator.pki.TlsSecrets}.
 */
package io.allidb.operator.pki;
