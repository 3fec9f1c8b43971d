package io.allidb.dataplane.security;

import java.nio.file.Path;
import java.util.Objects;

/**
 * PEM files of one TLS endpoint, as cert-manager or a Kubernetes TLS Secret mounts them.
 *
 * @param certificateChain the leaf certificate followed by intermediates ({@code tls.crt})
 * @param privateKey its PKCS#8 private key ({@code tls.key}); never logged
 * @param trustBundle CA certificates to verify peers with ({@code ca.crt}); several CAs at once are
 *     fine (rotation). Null on a client-facing endpoint that does not verify client certificates
 */
public record TlsFiles(Path certificateChain, Path privateKey, Path trustBundle) {
  public TlsFiles {
    Objects.requireNonNull(certificateChain, "certificateChain");
    Objects.requireNonNull(privateKey, "privateKey");
  }

  /** The usual {@code tls.crt}, {@code tls.key} and {@code ca.crt} of a mounted TLS Secret. */
  public static TlsFiles inDirectory(Path dir) {
    return new TlsFiles(dir.resolve("tls.crt"), dir.resolve("tls.key"), dir.resolve("ca.crt"));
  }
}
