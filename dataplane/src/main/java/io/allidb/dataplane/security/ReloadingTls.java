package io.allidb.dataplane.security;

import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import io.grpc.util.AdvancedTlsX509TrustManager.Verification;
import io.grpc.util.CertificateUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Key and trust managers over PEM files that pick up new files without a restart, so a TLS context
 * built once on them serves the rotated certificate from the next handshake on. The managers are
 * grpc-java's {@link AdvancedTlsX509KeyManager} and {@link AdvancedTlsX509TrustManager} (they swap
 * material atomically under live TLS contexts); the file watching is ours, because grpc-java's own
 * file reload polls at most once a minute and compares modification times only.
 *
 * <p>Every {@code period} the files' contents are hashed; on a change the new certificate chain,
 * key and bundle are parsed, the key is checked against the certificate (a signature round trip),
 * and only then swapped in. A file that is unreadable, half-written or a key that does not match
 * keeps the previous material and logs an error naming the files (never their content). Connections
 * already established are untouched, so in-flight requests finish on the old session.
 *
 * <p>The material's generation is the decimal number in {@link TlsFiles#generationFile()} (the
 * AlliDB operator writes it into the Secret with the certificates; 0 when the file is missing). It
 * is read <em>before</em> the material and adopted only once the material loaded, so the node may
 * report an older generation than it serves for one check period but never a newer one: a rotation
 * waiting for the generation cannot advance ahead of the material.
 *
 * <p>The trust bundle may hold several CA certificates (old and new CA during a CA rotation).
 * Verification is always on: chain to the bundle, plus host-name checking where asked and the
 * optional peer check ({@link PeerNames}); there is no way to skip it.
 *
 * <p>Thread-safe; {@link #close()} stops the file checks.
 */
public final class ReloadingTls implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(ReloadingTls.class);

  private final TlsFiles files;
  private final AdvancedTlsX509KeyManager keyManager = new AdvancedTlsX509KeyManager();
  private final AdvancedTlsX509TrustManager trustManager;

  /** Chain only, for peers dialled by IP address (see {@link #open}); null without a host check. */
  private final AdvancedTlsX509TrustManager addressTrustManager;

  private byte[] identityHash;
  private byte[] trustHash;
  private ScheduledFuture<?> task;
  private volatile long generation;

  private ReloadingTls(
      TlsFiles files,
      AdvancedTlsX509TrustManager trustManager,
      AdvancedTlsX509TrustManager addressTrustManager) {
    this.files = files;
    this.trustManager = trustManager;
    this.addressTrustManager = addressTrustManager;
  }

  /**
   * Loads the files now and re-checks them every {@code period} on {@code scheduler}.
   *
   * @param hostNameCheck whether a peer's certificate must also match the host name dialled (the
   *     client side of an internode call); servers pass false. A peer dialled by IP address (a seed
   *     found by a DNS lookup, which yields addresses) is checked without it: certificates name
   *     pods by DNS name, never by their changing IPs, so only the chain and {@code peerCheck}
   *     apply
   * @param peerCheck an extra check of the verified peer chain (null for none)
   * @throws IOException naming the file that cannot be read or parsed
   */
  public static ReloadingTls open(
      TlsFiles files,
      Duration period,
      ScheduledExecutorService scheduler,
      boolean hostNameCheck,
      AdvancedTlsX509TrustManager.SslSocketAndEnginePeerVerifier peerCheck)
      throws IOException {
    AdvancedTlsX509TrustManager tm = null;
    AdvancedTlsX509TrustManager byAddress = null;
    if (files.trustBundle() != null) {
      tm =
          trustManager(
              hostNameCheck
                  ? Verification.CERTIFICATE_AND_HOST_NAME_VERIFICATION
                  : Verification.CERTIFICATE_ONLY_VERIFICATION,
              peerCheck);
      if (hostNameCheck) {
        byAddress = trustManager(Verification.CERTIFICATE_ONLY_VERIFICATION, peerCheck);
      }
    }
    var r = new ReloadingTls(files, tm, byAddress);
    r.reload(true);
    long ms = period.toMillis();
    r.task = scheduler.scheduleWithFixedDelay(() -> r.check(), ms, ms, TimeUnit.MILLISECONDS);
    return r;
  }

  private static AdvancedTlsX509TrustManager trustManager(
      Verification verification,
      AdvancedTlsX509TrustManager.SslSocketAndEnginePeerVerifier peerCheck)
      throws IOException {
    try {
      var b = AdvancedTlsX509TrustManager.newBuilder().setVerification(verification);
      if (peerCheck != null) {
        b.setSslSocketAndEnginePeerVerifier(peerCheck);
      }
      return b.build();
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot create a trust manager: " + e.getMessage(), e);
    }
  }

  private void check() {
    try {
      reload(false);
    } catch (IOException | RuntimeException e) {
      logger.error("TLS material not reloaded, keeping the previous one: {}", e.getMessage());
    }
  }

  /**
   * Re-reads the files now and swaps changed material in (the admin API's {@code ReloadSecrets});
   * on failure the previous material and generation stay.
   *
   * @throws IOException naming the file that cannot be read or parsed, or the key that does not fit
   */
  public void reloadNow() throws IOException {
    reload(false);
  }

  /** The generation of the loaded material (see the class comment). */
  public long generation() {
    return generation;
  }

  /** The files this material is read from. */
  public TlsFiles files() {
    return files;
  }

  /** Re-reads the files and swaps changed material in; synchronized with the scheduled check. */
  synchronized void reload(boolean first) throws IOException {
    // first, so a generation never runs ahead of the material loaded below
    long nextGeneration = readGeneration(files.generationFile());
    byte[] cert = read(files.certificateChain());
    byte[] key = read(files.privateKey());
    byte[] id = hash(cert, key);
    if (!Arrays.equals(id, identityHash)) {
      X509Certificate[] chain;
      PrivateKey privateKey;
      try {
        chain = CertificateUtils.getX509Certificates(new ByteArrayInputStream(cert));
        privateKey = CertificateUtils.getPrivateKey(new ByteArrayInputStream(key));
      } catch (IOException | GeneralSecurityException | RuntimeException e) {
        throw new IOException(
            "cannot parse TLS certificate "
                + files.certificateChain()
                + " or key "
                + files.privateKey()
                + " ("
                + e.getClass().getSimpleName()
                + ")",
            null);
      }
      if (chain.length == 0) {
        throw new IOException("no certificate in " + files.certificateChain());
      }
      checkPair(chain[0], privateKey);
      keyManager.updateIdentityCredentials(chain, privateKey);
      identityHash = id;
      if (!first) {
        logger.info(
            "TLS certificate reloaded from {}: {}, valid until {}",
            files.certificateChain(),
            chain[0].getSubjectX500Principal().getName(),
            chain[0].getNotAfter().toInstant());
      }
    }
    if (trustManager != null) {
      byte[] bundle = read(files.trustBundle());
      byte[] th = hash(bundle);
      if (!Arrays.equals(th, trustHash)) {
        try {
          X509Certificate[] cas =
              CertificateUtils.getX509Certificates(new ByteArrayInputStream(bundle));
          if (cas.length == 0) {
            throw new IOException("no CA certificate in " + files.trustBundle());
          }
          trustManager.updateTrustCredentials(cas);
          if (addressTrustManager != null) {
            addressTrustManager.updateTrustCredentials(cas);
          }
          trustHash = th;
          if (!first) {
            logger.info(
                "TLS trust bundle reloaded from {}: {} CA(s)", files.trustBundle(), cas.length);
          }
        } catch (GeneralSecurityException | RuntimeException e) {
          throw new IOException(
              "cannot load TLS trust bundle " + files.trustBundle() + ": " + e.getMessage(), null);
        }
      }
    }
    if (nextGeneration != generation) {
      generation = nextGeneration;
      if (!first) {
        logger.info(
            "TLS material in {} now at generation {}",
            files.generationFile().getParent(),
            nextGeneration);
      }
    }
  }

  /** A half-rotated pair (new certificate, old key) must never reach a handshake. */
  private void checkPair(X509Certificate cert, PrivateKey key) throws IOException {
    String alg = "EC".equals(key.getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA";
    try {
      byte[] challenge =
          "allidb-tls-key-check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(challenge);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(alg);
      v.initVerify(cert.getPublicKey());
      v.update(challenge);
      if (!v.verify(sig)) {
        throw new IOException(
            "TLS key "
                + files.privateKey()
                + " does not match certificate "
                + files.certificateChain());
      }
    } catch (GeneralSecurityException e) {
      throw new IOException(
          "TLS key " + files.privateKey() + " does not fit certificate " + files.certificateChain(),
          null);
    }
  }

  /** The number in {@code file}; 0 when it does not exist. */
  static long readGeneration(Path file) throws IOException {
    if (!Files.exists(file)) {
      return 0;
    }
    String text = new String(read(file), java.nio.charset.StandardCharsets.US_ASCII).strip();
    // at most 18 digits always fits a long
    if (!text.matches("[0-9]{1,18}")) {
      throw new IOException(
          "TLS generation file "
              + file
              + " must hold a non-negative decimal number; got "
              + (text.length() > 20 ? text.length() + " characters" : "'" + text + "'"),
          null);
    }
    return Long.parseLong(text);
  }

  private static byte[] read(Path file) throws IOException {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IOException("cannot read " + file + ": " + e.getClass().getSimpleName(), null);
    }
  }

  private static byte[] hash(byte[]... parts) {
    try {
      var md = MessageDigest.getInstance("SHA-256");
      for (byte[] p : parts) {
        md.update(p);
        md.update((byte) 0);
      }
      return md.digest();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JDK ships SHA-256", e);
    }
  }

  /** The identity presented to peers; follows the certificate and key files. */
  public X509ExtendedKeyManager keyManager() {
    return keyManager;
  }

  /** Verifies peers against the trust bundle; null when no bundle was given. */
  public X509ExtendedTrustManager trustManager() {
    return addressTrustManager == null
        ? trustManager
        : new HostOrAddressTrustManager(trustManager, addressTrustManager);
  }

  @Override
  public void close() {
    if (task != null) {
      task.cancel(false);
    }
  }
}
