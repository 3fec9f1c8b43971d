package io.allidb.operator.pki;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Issues certificates with BouncyCastle: self-signed CAs, their renewal with the same key, and leaf
 * certificates for both TLS server and client authentication (a node is both on internode
 * connections). Keys are EC P-256, signatures ECDSA with SHA-256 (both handled by the node's
 * key/certificate pair check). Validity starts {@link #BACKDATE} before {@code now} so that a node
 * whose clock lags a little accepts a fresh certificate; a leaf never outlives its CA.
 *
 * <p>Stateless apart from the random source; thread-safe.
 */
public final class CertificateAuthority {
  /** Tolerated clock skew between operator and nodes. */
  public static final Duration BACKDATE = Duration.ofMinutes(5);

  private static final SecureRandom RANDOM = new SecureRandom();

  private CertificateAuthority() {}

  /**
   * A new self-signed CA with a new key. Its name ends in a digest of its key ({@code
   * CN=<commonName> <8 hex>}): during a CA key replacement the old and the new CA sit in one trust
   * bundle, and the JDK's trust manager keeps one key per CA name, so two CAs of one name would
   * leave the leaves of one of them unverifiable (found by CertificateRotationIT).
   */
  public static IssuedCertificate create(String commonName, Instant now, Duration lifetime) {
    var keys = newKeyPair();
    return selfSign(keys, commonName + " " + keyTag(keys.getPublic()), now, lifetime);
  }

  /** The first 8 hex digits of the SHA-256 of the encoded public key. */
  private static String keyTag(PublicKey key) {
    try {
      var digest = java.security.MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
      return java.util.HexFormat.of().formatHex(digest, 0, 4);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JDK ships SHA-256", e);
    }
  }

  /**
   * The same CA re-signed with its own key for a new validity period: same subject, same key, so
   * every leaf it issued still verifies against either certificate and nobody's trust changes.
   */
  public static IssuedCertificate renew(IssuedCertificate ca, Instant now, Duration lifetime) {
    if (ca.key() == null) {
      throw new IllegalArgumentException("renewing a CA needs its private key");
    }
    var keys = new KeyPair(ca.certificate().getPublicKey(), ca.key());
    // the encoded name, not its string form: RFC 2253 strings reverse the RDN order
    var subject = X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
    return selfSign(keys, subject, now, lifetime);
  }

  private static IssuedCertificate selfSign(
      KeyPair keys, String commonName, Instant now, Duration lifetime) {
    return selfSign(keys, new X500Name("CN=" + commonName + ",O=AlliDB"), now, lifetime);
  }

  private static IssuedCertificate selfSign(
      KeyPair keys, X500Name subject, Instant now, Duration lifetime) {
    var from = now.minus(BACKDATE);
    var b =
        new JcaX509v3CertificateBuilder(
            subject,
            serial(),
            Date.from(from),
            Date.from(now.plus(lifetime)),
            subject,
            keys.getPublic());
    try {
      var ext = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
      return new IssuedCertificate(sign(b, keys), keys.getPrivate());
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot build a CA certificate", e);
    }
  }

  /**
   * A leaf for server and client authentication, valid from now (minus {@link #BACKDATE}) for
   * {@code lifetime}, cut to the CA's own expiry.
   *
   * @param dnsNames subject alternative DNS names; the first is also the common name
   */
  public static IssuedCertificate issue(
      IssuedCertificate ca, List<String> dnsNames, Instant now, Duration lifetime) {
    if (ca.key() == null) {
      throw new IllegalArgumentException("issuing needs the CA's private key");
    }
    if (dnsNames.isEmpty()) {
      throw new IllegalArgumentException("a leaf needs at least one DNS name");
    }
    var keys = newKeyPair();
    var notAfter = now.plus(lifetime);
    if (notAfter.isAfter(ca.notAfter())) {
      notAfter = ca.notAfter();
    }
    var b =
        new JcaX509v3CertificateBuilder(
            X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded()),
            serial(),
            Date.from(now.minus(BACKDATE)),
            Date.from(notAfter),
            new X500Name("CN=" + dnsNames.get(0) + ",O=AlliDB"),
            keys.getPublic());
    try {
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
          ext.createAuthorityKeyIdentifier(ca.certificate().getPublicKey()));
      b.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
      var names = new ArrayList<GeneralName>();
      for (var n : dnsNames) {
        names.add(new GeneralName(GeneralName.dNSName, n));
      }
      b.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(names.toArray(GeneralName[]::new)));
      return new IssuedCertificate(
          sign(b, new KeyPair(ca.certificate().getPublicKey(), ca.key())), keys.getPrivate());
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot build a leaf certificate", e);
    }
  }

  /** Whether two certificates carry the same public key (a renewed CA is the same issuer). */
  public static boolean sameKey(X509Certificate a, X509Certificate b) {
    PublicKey ka = a.getPublicKey();
    PublicKey kb = b.getPublicKey();
    return java.util.Arrays.equals(ka.getEncoded(), kb.getEncoded());
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair signer)
      throws CertificateException {
    try {
      var signerOp = new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate());
      return new JcaX509CertificateConverter().getCertificate(b.build(signerOp));
    } catch (OperatorCreationException e) {
      throw new IllegalStateException("no ECDSA signer", e);
    }
  }

  private static BigInteger serial() {
    // 127 random bits: unique without coordination, positive as RFC 5280 asks
    return new BigInteger(127, RANDOM);
  }

  private static KeyPair newKeyPair() {
    try {
      var g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JDK 17 ships EC P-256", e);
    }
  }
}
