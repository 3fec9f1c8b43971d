package io.allidb.operator.pki;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/**
 * PEM in and out, in the forms the node's {@code ReloadingTls} reads: certificates as {@code
 * CERTIFICATE} blocks (leaf first), private keys as unencrypted PKCS#8 {@code PRIVATE KEY}. Errors
 * name the input, never its content (it may hold a key).
 */
public final class Pem {
  private Pem() {}

  /** Certificates, concatenated in order. */
  public static String certificates(List<X509Certificate> certificates) {
    var out = new StringWriter();
    try (var w = new JcaPEMWriter(out)) {
      for (var c : certificates) {
        w.writeObject(c);
      }
    } catch (IOException e) {
      throw new IllegalStateException("writing PEM to memory cannot fail", e);
    }
    return out.toString();
  }

  /** A PKCS#8 private key. */
  public static String privateKey(PrivateKey key) {
    var out = new StringWriter();
    try (var w = new JcaPEMWriter(out)) {
      w.writeObject(new JcaPKCS8Generator(key, null));
    } catch (IOException e) {
      throw new IllegalStateException("writing PEM to memory cannot fail", e);
    }
    return out.toString();
  }

  /**
   * Every certificate in {@code pem}.
   *
   * @param source names the input in error messages
   * @throws IllegalArgumentException when it holds something else or nothing parseable
   */
  public static List<X509Certificate> parseCertificates(String pem, String source) {
    var out = new ArrayList<X509Certificate>();
    try (var parser = new PEMParser(new StringReader(pem))) {
      Object o;
      while ((o = parser.readObject()) != null) {
        if (!(o instanceof X509CertificateHolder holder)) {
          throw new IllegalArgumentException(source + ": expected only CERTIFICATE blocks");
        }
        out.add(new JcaX509CertificateConverter().getCertificate(holder));
      }
    } catch (IOException | CertificateException e) {
      throw new IllegalArgumentException(
          source + ": not a PEM certificate (" + e.getClass().getSimpleName() + ")");
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(source + ": no certificate");
    }
    return out;
  }

  /**
   * The private key in {@code pem} (PKCS#8, or a traditional EC/RSA key pair block).
   *
   * @throws IllegalArgumentException naming {@code source}, never echoing the content
   */
  public static PrivateKey parsePrivateKey(String pem, String source) {
    try (var parser = new PEMParser(new StringReader(pem))) {
      Object o = parser.readObject();
      var converter = new JcaPEMKeyConverter();
      if (o instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      if (o instanceof PEMKeyPair pair) {
        return converter.getKeyPair(pair).getPrivate();
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(
          source + ": not a PEM private key (" + e.getClass().getSimpleName() + ")");
    }
    throw new IllegalArgumentException(source + ": no unencrypted private key");
  }
}
