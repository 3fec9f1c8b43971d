package io.allidb.dataplane.security;

import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import io.grpc.util.AdvancedTlsX509TrustManager.Verification;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Key and trust managers over PEM files that pick up new files without a restart, so a TLS context
 * built once on them serves the rotated certificate from the next handshake on. This is grpc-java's
 * {@link AdvancedTlsX509KeyManager} and {@link AdvancedTlsX509TrustManager}: they re-read the files
 * when their modification time changes (checked every {@code period}), keep the previous material
 * when a file is unreadable or the key does not match the certificate, and never touch connections
 * already established, so in-flight requests finish on the old session.
 *
 * <p>The trust bundle may hold several CA certificates (old and new CA during a CA rotation).
 * Verification is always on: chain to the bundle, plus host-name checking where asked and the
 * optional peer check (e.g. {@link PeerNames}); there is no way to skip it.
 *
 * <p>Thread-safe; {@link #close()} stops the file checks.
 */
public final class ReloadingTls implements AutoCloseable {
  private final AdvancedTlsX509KeyManager keyManager;
  private final AdvancedTlsX509TrustManager trustManager;
  private final List<AutoCloseable> reloads;

  private ReloadingTls(
      AdvancedTlsX509KeyManager km, AdvancedTlsX509TrustManager tm, List<AutoCloseable> reloads) {
    this.keyManager = km;
    this.trustManager = tm;
    this.reloads = reloads;
  }

  /**
   * Loads the files now and re-checks them every {@code period} on {@code scheduler}.
   *
   * @param hostNameCheck whether a peer's certificate must also match the host name dialled (the
   *     client side of an internode call); servers pass false
   * @param peerCheck an extra check of the verified peer chain (null for none)
   * @throws IOException naming the file that cannot be read or parsed; nothing keeps running then
   */
  public static ReloadingTls open(
      TlsFiles files,
      Duration period,
      ScheduledExecutorService scheduler,
      boolean hostNameCheck,
      AdvancedTlsX509TrustManager.SslSocketAndEnginePeerVerifier peerCheck)
      throws IOException {
    var reloads = new ArrayList<AutoCloseable>();
    long ms = period.toMillis();
    try {
      var km = new AdvancedTlsX509KeyManager();
      try {
        reloads.add(
            km.updateIdentityCredentials(
                    files.certificateChain().toFile(),
                    files.privateKey().toFile(),
                    ms,
                    TimeUnit.MILLISECONDS,
                    scheduler)
                ::close);
      } catch (IOException | GeneralSecurityException | RuntimeException e) {
        // the private key's content never reaches the message: only the file names
        throw new IOException(
            "cannot load TLS certificate "
                + files.certificateChain()
                + " with key "
                + files.privateKey()
                + ": "
                + e.getClass().getSimpleName(),
            null);
      }
      AdvancedTlsX509TrustManager tm = null;
      if (files.trustBundle() != null) {
        var b =
            AdvancedTlsX509TrustManager.newBuilder()
                .setVerification(
                    hostNameCheck
                        ? Verification.CERTIFICATE_AND_HOST_NAME_VERIFICATION
                        : Verification.CERTIFICATE_ONLY_VERIFICATION);
        if (peerCheck != null) {
          b.setSslSocketAndEnginePeerVerifier(peerCheck);
        }
        tm = b.build();
        try {
          reloads.add(
              tm.updateTrustCredentials(
                      files.trustBundle().toFile(), ms, TimeUnit.MILLISECONDS, scheduler)
                  ::close);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
          throw new IOException(
              "cannot load TLS trust bundle " + files.trustBundle() + ": " + e.getMessage(), e);
        }
      }
      return new ReloadingTls(km, tm, reloads);
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      closeAll(reloads);
      if (e instanceof IOException io) {
        throw io;
      }
      throw new IOException("cannot set up TLS from " + files.certificateChain() + ": " + e, e);
    }
  }

  /** The identity presented to peers; follows the certificate and key files. */
  public X509ExtendedKeyManager keyManager() {
    return keyManager;
  }

  /** Verifies peers against the trust bundle; null when no bundle was given. */
  public X509ExtendedTrustManager trustManager() {
    return trustManager;
  }

  @Override
  public void close() {
    closeAll(reloads);
  }

  private static void closeAll(List<AutoCloseable> reloads) {
    for (AutoCloseable c : reloads) {
      try {
        c.close();
      } catch (Exception ignored) {
        // stopping a scheduled re-read cannot fail meaningfully
      }
    }
  }
}
