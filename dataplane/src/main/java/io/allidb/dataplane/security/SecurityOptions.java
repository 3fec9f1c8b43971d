package io.allidb.dataplane.security;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A node's TLS and key-reload settings. Build with {@link #builder()}.
 *
 * @param keyCheckInterval how often the API key set is compared with its files besides watch events
 * @param publicTls TLS of the client-facing gRPC and REST ports; null serves them in plaintext,
 *     which only {@code plaintextPublic} allows
 * @param publicClientAuth whether the client-facing ports ask for client certificates (needs a
 *     trust bundle unless NONE)
 * @param plaintextPublic development only: serve the client-facing ports without TLS; the node logs
 *     a warning at start
 * @param internodeTls mTLS of the internode port and of every call to peers; null means the cluster
 *     options' explicit plaintext development setting must be on
 * @param tlsReloadInterval how often certificate, key and trust files are checked for changes
 * @param internodePeerNames besides current members, certificate names accepted from peers (so new
 *     nodes can join), e.g. {@code allidb-\d+\.allidb-headless\..*}; null accepts members only
 */
public record SecurityOptions(
    Duration keyCheckInterval,
    TlsFiles publicTls,
    ClientAuth publicClientAuth,
    boolean plaintextPublic,
    TlsFiles internodeTls,
    Duration tlsReloadInterval,
    Pattern internodePeerNames) {

  public SecurityOptions {
    Objects.requireNonNull(keyCheckInterval, "keyCheckInterval");
    Objects.requireNonNull(publicClientAuth, "publicClientAuth");
    Objects.requireNonNull(tlsReloadInterval, "tlsReloadInterval");
    if (keyCheckInterval.isNegative() || keyCheckInterval.isZero()) {
      throw new IllegalArgumentException(
          "keyCheckInterval must be positive; got " + keyCheckInterval);
    }
    if (tlsReloadInterval.isNegative() || tlsReloadInterval.isZero()) {
      throw new IllegalArgumentException(
          "tlsReloadInterval must be positive; got " + tlsReloadInterval);
    }
    if (publicTls == null && !plaintextPublic) {
      throw new IllegalArgumentException(
          "the client-facing ports need TLS files or the explicit plaintext development setting");
    }
    if (publicTls != null && plaintextPublic) {
      throw new IllegalArgumentException("TLS files and plaintextPublic exclude each other");
    }
    if (publicClientAuth != ClientAuth.NONE
        && (publicTls == null || publicTls.trustBundle() == null)) {
      throw new IllegalArgumentException(
          "client certificates (" + publicClientAuth + ") need a TLS trust bundle");
    }
    if (internodeTls != null && internodeTls.trustBundle() == null) {
      throw new IllegalArgumentException("internode mTLS needs a trust bundle (the cluster CA)");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builder; not thread-safe. Defaults: plaintext everywhere (development), 10 s checks. */
  public static final class Builder {
    private Duration keyCheckInterval = ReloadingKeySet.DEFAULT_CHECK_INTERVAL;
    private TlsFiles publicTls;
    private ClientAuth publicClientAuth = ClientAuth.NONE;
    private boolean plaintextPublic = true;
    private TlsFiles internodeTls;
    private Duration tlsReloadInterval = Duration.ofSeconds(10);
    private Pattern internodePeerNames;

    private Builder() {}

    public Builder keyCheckInterval(Duration v) {
      keyCheckInterval = v;
      return this;
    }

    /** Serves the client-facing ports over TLS (and turns plaintext off). */
    public Builder publicTls(TlsFiles v, ClientAuth clientAuth) {
      publicTls = v;
      publicClientAuth = clientAuth;
      plaintextPublic = v == null;
      return this;
    }

    public Builder internodeTls(TlsFiles v) {
      internodeTls = v;
      return this;
    }

    public Builder tlsReloadInterval(Duration v) {
      tlsReloadInterval = v;
      return this;
    }

    public Builder internodePeerNames(Pattern v) {
      internodePeerNames = v;
      return this;
    }

    public SecurityOptions build() {
      return new SecurityOptions(
          keyCheckInterval,
          publicTls,
          publicClientAuth,
          plaintextPublic,
          internodeTls,
          tlsReloadInterval,
          internodePeerNames);
    }
  }
}
