package io.allidb.dataplane.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A test PKI: certificate authorities that issue server, client and node certificates (EC P-256,
 * signed with BouncyCastle) and write them as the PEM files a cert-manager Secret mounts ({@code
 * tls.crt}, {@code tls.key}, {@code ca.crt}). Files are replaced atomically, as the kubelet does,
 * so a reloading reader never sees half a file. The operator's tests can mirror this fixture.
 *
 * <p>Not thread-safe per instance; use one per test.
 */
public final class TestPki {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  private TestPki() {}

  /** A key pair and its certificate. */
  public record Issued(KeyPair keys, X509Certificate certificate) {}

  /** A certificate authority. */
  public static final class Ca {
    private final Issued self;

    private Ca(Issued self) {
      this.self = self;
    }

    public X509Certificate certificate() {
      return self.certificate();
    }

    /**
     * A leaf for server and client authentication, valid from one hour ago for {@code validity}.
     *
     * @param dnsNames subject alternative DNS names ({@code 127.0.0.1}-style entries become IP
     *     names)
     */
    public Issued issue(String commonName, Duration validity, String... dnsNames) {
      try {
        KeyPair keys = keyPair();
        Instant from = Instant.now().minus(Duration.ofHours(1));
        var b =
            new JcaX509v3CertificateBuilder(
                new X500Name(self.certificate().getSubjectX500Principal().getName()),
                BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(from),
                Date.from(from.plus(validity)),
                new X500Name("CN=" + commonName),
                keys.getPublic());
        var ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(
            Extension.keyUsage,
            true,
            new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        b.addExtension(
            Extension.extendedKeyUsage,
            false,
            new ExtendedKeyUsage(
                new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
        b.addExtension(
            Extension.authorityKeyIdentifier,
            false,
            ext.createAuthorityKeyIdentifier(self.certificate()));
        b.addExtension(
            Extension.subjectKeyIdentifier,
            false,
            ext.createSubjectKeyIdentifier(keys.getPublic()));
        if (dnsNames.length > 0) {
          var names = new ArrayList<GeneralName>();
          for (String n : dnsNames) {
            names.add(
                new GeneralName(
                    Character.isDigit(n.charAt(0)) ? GeneralName.iPAddress : GeneralName.dNSName,
                    n));
          }
          b.addExtension(
              Extension.subjectAlternativeName,
              false,
              new GeneralNames(names.toArray(GeneralName[]::new)));
        }
        return new Issued(keys, sign(b, self.keys()));
      } catch (Exception e) {
        throw new IllegalStateException("cannot issue a test certificate", e);
      }
    }

    /** A leaf valid for a day. */
    public Issued issue(String commonName, String... dnsNames) {
      return issue(commonName, Duration.ofDays(1), dnsNames);
    }
  }

  /** A new self-signed CA. */
  public static Ca newCa(String name) {
    try {
      KeyPair keys = keyPair();
      Instant from = Instant.now().minus(Duration.ofHours(1));
      var subject = new X500Name("CN=" + name);
      var b =
          new JcaX509v3CertificateBuilder(
              subject,
              BigInteger.valueOf(SERIAL.incrementAndGet()),
              Date.from(from),
              Date.from(from.plus(Duration.ofDays(30))),
              subject,
              keys.getPublic());
      var ext = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
      return new Ca(new Issued(keys, sign(b, keys)));
    } catch (Exception e) {
      throw new IllegalStateException("cannot create a test CA", e);
    }
  }

  /**
   * Writes {@code tls.crt}, {@code tls.key} and {@code ca.crt} (every CA in {@code trust}) into
   * {@code dir}, each replaced atomically; returns {@code dir}.
   */
  public static Path write(Path dir, Issued leaf, Ca... trust) throws IOException {
    Files.createDirectories(dir);
    replace(dir.resolve("tls.crt"), pem(List.of(leaf.certificate())));
    replace(
        dir.resolve("tls.key"),
        pem(List.of(new JcaPKCS8Generator(leaf.keys().getPrivate(), null))));
    var cas = new ArrayList<Object>();
    for (Ca ca : trust) {
      cas.add(ca.certificate());
    }
    replace(dir.resolve("ca.crt"), pem(cas));
    return dir;
  }

  /**
   * Writes the {@code generation} file the AlliDB operator puts next to the certificates,
   * atomically.
   */
  public static void writeGeneration(Path dir, long generation) throws IOException {
    replace(dir.resolve("generation"), generation + "\n");
  }

  /** Writes a trust bundle of {@code trust} to {@code file}, atomically. */
  public static void writeBundle(Path file, Ca... trust) throws IOException {
    var cas = new ArrayList<Object>();
    for (Ca ca : trust) {
      cas.add(ca.certificate());
    }
    replace(file, pem(cas));
  }

  private static void replace(Path file, String content) throws IOException {
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.writeString(tmp, content, StandardCharsets.US_ASCII);
    // a later modification time than the previous file's, even on coarse-grained file systems
    Files.setLastModifiedTime(
        tmp,
        java.nio.file.attribute.FileTime.fromMillis(
            Math.max(
                System.currentTimeMillis(),
                Files.exists(file) ? Files.getLastModifiedTime(file).toMillis() + 1000 : 0)));
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static String pem(List<?> objects) throws IOException {
    var out = new StringWriter();
    try (var w = new JcaPEMWriter(out)) {
      for (Object o : objects) {
        if (o instanceof JcaPKCS8Generator g) {
          w.writeObject(g.generate());
        } else {
          w.writeObject(o);
        }
      }
    }
    return out.toString();
  }

  private static KeyPair keyPair() throws Exception {
    var g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return g.generateKeyPair();
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair issuer) throws Exception {
    var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate());
    return new JcaX509CertificateConverter().getCertificate(b.build(signer));
  }
}
