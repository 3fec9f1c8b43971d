package io.allidb.dataplane.cli;

import io.allidb.dataplane.security.ClientAuth;
import io.allidb.dataplane.security.SecurityOptions;
import io.allidb.dataplane.security.TlsFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The TLS flags of {@code allidb server} (a picocli mixin), turned into {@link SecurityOptions}.
 * Without {@code --tls-cert} the client-facing ports are plaintext, the development setting, and
 * the node warns at start. Not thread-safe; picocli fills it once.
 */
final class TlsFlags {
  @Option(
      names = "--tls-cert",
      description = "PEM certificate chain of the client-facing gRPC and REST ports (reloaded).")
  Path cert;

  @Option(names = "--tls-key", description = "PEM private key (PKCS#8) for --tls-cert (reloaded).")
  Path key;

  @Option(
      names = "--tls-dir",
      description =
          "Directory with the client-facing certificate instead of --tls-cert/--tls-key:"
              + " <node-id>.tls.crt/.tls.key (the operator's per-pod Secret) or tls.crt/tls.key.")
  Path dir;

  @Option(
      names = "--tls-client-ca",
      description = "PEM bundle of CAs that client certificates must chain to (reloaded).")
  Path clientCa;

  @Option(
      names = "--tls-client-auth",
      defaultValue = "NONE",
      description = "Client certificates: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  ClientAuth clientAuth;

  @Option(
      names = "--internode-tls-dir",
      description =
          "Directory with tls.crt, tls.key and ca.crt (the cluster CA bundle) for internode mTLS.")
  Path internodeDir;

  @Option(
      names = "--internode-peer-names",
      description = "Regex of certificate names accepted from nodes joining (besides members).")
  Pattern peerNames;

  @Option(
      names = "--tls-reload-interval",
      defaultValue = "10s",
      converter = ClientOptions.DurationConverter.class,
      description = "How often TLS files are checked for changes (default: ${DEFAULT-VALUE}).")
  Duration reloadInterval;

  /** Whether the client-facing ports serve plaintext (development). */
  boolean plaintext() {
    return cert == null && dir == null;
  }

  SecurityOptions toOptions(picocli.CommandLine commandLine) {
    return toOptions(commandLine, null);
  }

  /**
   * @param nodeId picks {@code <nodeId>.tls.crt}/{@code .tls.key} in the TLS directories when
   *     present (the operator's per-pod layout), else {@code tls.crt}/{@code tls.key}
   */
  SecurityOptions toOptions(picocli.CommandLine commandLine, String nodeId) {
    if ((cert == null) != (key == null)) {
      throw new ParameterException(commandLine, "--tls-cert and --tls-key go together");
    }
    if (cert != null && dir != null) {
      throw new ParameterException(commandLine, "--tls-dir and --tls-cert are alternatives");
    }
    if (plaintext() && (clientCa != null || clientAuth != ClientAuth.NONE)) {
      throw new ParameterException(
          commandLine,
          "--tls-client-ca and --tls-client-auth need --tls-cert and --tls-key (or --tls-dir)");
    }
    var b =
        SecurityOptions.builder().tlsReloadInterval(reloadInterval).internodePeerNames(peerNames);
    if (cert != null) {
      b.publicTls(new TlsFiles(cert, key, clientCa), clientAuth);
    } else if (dir != null) {
      var own = TlsFiles.inDirectory(dir, nodeId);
      b.publicTls(new TlsFiles(own.certificateChain(), own.privateKey(), clientCa), clientAuth);
    }
    if (internodeDir != null) {
      b.internodeTls(TlsFiles.inDirectory(internodeDir, nodeId));
    }
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(commandLine, e.getMessage());
    }
  }
}
