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

  /**
   * The files of node {@code name} in a directory the AlliDB operator fills: one Secret serves
   * every pod of a StatefulSet, so it holds {@code <name>.tls.crt} and {@code <name>.tls.key} per
   * pod and one shared {@code ca.crt} (docs/adr/0004). Falls back to {@link #inDirectory(Path)}
   * when the directory has no files for {@code name} (cert-manager, a hand-made Secret) or {@code
   * name} is null. The choice is made once, at start.
   */
  public static TlsFiles inDirectory(Path dir, String name) {
    if (name != null && java.nio.file.Files.exists(dir.resolve(name + ".tls.crt"))) {
      return new TlsFiles(
          dir.resolve(name + ".tls.crt"), dir.resolve(name + ".tls.key"), dir.resolve("ca.crt"));
    }
    return inDirectory(dir);
  }

  /**
   * The file holding the material's generation: {@code generation} next to the certificate chain,
   * as the AlliDB operator writes it into the Secret (docs/adr/0004). A missing file means
   * generation 0 (cert-manager and hand-made Secrets have none).
   */
  public Path generationFile() {
    Path dir = certificateChain.toAbsolutePath().getParent();
    return dir.resolve("generation");
  }

  /** The usual {@code tls.crt}, {@code tls.key} and {@code ca.crt} of a mounted TLS Secret. */
  public static TlsFiles inDirectory(Path dir) {
    return new TlsFiles(dir.resolve("tls.crt"), dir.resolve("tls.key"), dir.resolve("ca.crt"));
  }
}
