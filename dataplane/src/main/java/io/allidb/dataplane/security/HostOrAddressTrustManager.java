package io.allidb.dataplane.security;

import com.google.common.net.InetAddresses;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The client side of internode TLS: checks a server certificate against the host name dialled when
 * a name was dialled, and by the chain and the peer check alone when an IP address was (seeds come
 * from DNS lookups as addresses; certificates name pods by DNS name, never by their changing IPs,
 * so an address could never match). Both delegates verify the chain against the same bundle and run
 * the same identity rule ({@link PeerNames}); neither skips verification.
 */
final class HostOrAddressTrustManager extends X509ExtendedTrustManager {
  private final X509ExtendedTrustManager byName;
  private final X509ExtendedTrustManager byAddress;

  HostOrAddressTrustManager(X509ExtendedTrustManager byName, X509ExtendedTrustManager byAddress) {
    this.byName = byName;
    this.byAddress = byAddress;
  }

  private X509ExtendedTrustManager pick(String peerHost) {
    return peerHost != null && InetAddresses.isInetAddress(peerHost) ? byAddress : byName;
  }

  private static String host(Socket socket) {
    if (socket instanceof SSLSocket s && s.getHandshakeSession() != null) {
      return s.getHandshakeSession().getPeerHost();
    }
    return null;
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    pick(engine == null ? null : engine.getPeerHost()).checkServerTrusted(chain, authType, engine);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    pick(host(socket)).checkServerTrusted(chain, authType, socket);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    byName.checkServerTrusted(chain, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    byName.checkClientTrusted(chain, authType, engine);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    byName.checkClientTrusted(chain, authType, socket);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    byName.checkClientTrusted(chain, authType);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return byName.getAcceptedIssuers();
  }
}
