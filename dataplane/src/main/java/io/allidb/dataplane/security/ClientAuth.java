package io.allidb.dataplane.security;

/** Whether a TLS server asks clients for a certificate. */
public enum ClientAuth {
  /** No client certificate is requested. */
  NONE,
  /** Requested and verified against the trust bundle when presented; an API key is still needed. */
  OPTIONAL,
  /** Required and verified; connections without one fail the handshake. */
  REQUIRE
}
