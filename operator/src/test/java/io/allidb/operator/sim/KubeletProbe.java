package io.allidb.operator.sim;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.function.IntUnaryOperator;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;

/**
 * One run of a container probe as the kubelet executes it, against a pod whose container ports are
 * really loopback ports chosen by the simulation. What it copies from the kubelet, because that is
 * what decides whether a rendered probe can work at all:
 *
 * <ul>
 *   <li>{@code httpGet}: a GET of {@code scheme://podIP:port/path}, success for a status in [200,
 *       400); over HTTPS the server certificate is neither verified nor matched to a host name, and
 *       no client certificate is presented;
 *   <li>{@code grpc}: {@code grpc.health.v1.Health/Check} over <em>plaintext</em> HTTP/2 (the
 *       kubelet has no TLS option there), success only for SERVING;
 *   <li>a named port is resolved against the container's ports; the probe's {@code timeoutSeconds}
 *       bounds the whole attempt (1 s when unset, the Kubernetes default).
 * </ul>
 *
 * Thresholds and periods are not modelled: the simulation probes on every tick and takes the last
 * result, so scenarios stay fast.
 */
final class KubeletProbe {
  private static final SSLSocketFactory TRUST_ALL = trustAll();

  private KubeletProbe() {}

  /**
   * Whether {@code probe} of {@code container} succeeds now.
   *
   * @param loopbackPort the loopback port standing in for a container port, or -1 when nothing of
   *     the pod listens there
   */
  static boolean succeeds(Probe probe, Container container, IntUnaryOperator loopbackPort) {
    int timeoutMillis =
        (int)
            TimeUnit.SECONDS.toMillis(
                probe.getTimeoutSeconds() == null ? 1 : probe.getTimeoutSeconds());
    if (probe.getHttpGet() != null) {
      var get = probe.getHttpGet();
      var port = containerPort(get.getPort(), container);
      if (port.isEmpty() || loopbackPort.applyAsInt(port.getAsInt()) < 0) {
        return false;
      }
      var scheme = get.getScheme() == null ? "HTTP" : get.getScheme();
      var path = get.getPath() == null ? "/" : get.getPath();
      return httpGet(scheme, loopbackPort.applyAsInt(port.getAsInt()), path, timeoutMillis);
    }
    if (probe.getGrpc() != null) {
      var port = loopbackPort.applyAsInt(probe.getGrpc().getPort());
      return port >= 0 && grpcServing(port, probe.getGrpc().getService(), timeoutMillis);
    }
    throw new IllegalArgumentException(
        "the simulated kubelet runs httpGet and grpc probes only, not " + probe);
  }

  private static boolean httpGet(String scheme, int port, String path, int timeoutMillis) {
    HttpURLConnection connection = null;
    try {
      var url =
          new URI(
                  scheme.toLowerCase(java.util.Locale.ROOT),
                  null,
                  "127.0.0.1",
                  port,
                  path,
                  null,
                  null)
              .toURL();
      connection = (HttpURLConnection) url.openConnection(Proxy.NO_PROXY);
      if (connection instanceof HttpsURLConnection https) {
        // the kubelet's HTTPS probe: InsecureSkipVerify, no client certificate
        https.setSSLSocketFactory(TRUST_ALL);
        https.setHostnameVerifier((host, session) -> true);
      }
      connection.setConnectTimeout(timeoutMillis);
      connection.setReadTimeout(timeoutMillis);
      connection.setInstanceFollowRedirects(false);
      connection.setUseCaches(false);
      connection.setRequestProperty("User-Agent", "kube-probe/simulated");
      connection.setRequestProperty("Accept", "*/*");
      int status = connection.getResponseCode();
      try (InputStream body =
          status >= 400 ? connection.getErrorStream() : connection.getInputStream()) {
        if (body != null) {
          body.readAllBytes();
        }
      }
      return status >= 200 && status < 400;
    } catch (IOException | java.net.URISyntaxException | RuntimeException e) {
      return false;
    } finally {
      if (connection != null) {
        connection.disconnect();
      }
    }
  }

  private static boolean grpcServing(int port, String service, int timeoutMillis) {
    var channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      return HealthGrpc.newBlockingStub(channel)
              .withDeadlineAfter(timeoutMillis, TimeUnit.MILLISECONDS)
              .check(
                  HealthCheckRequest.newBuilder()
                      .setService(service == null ? "" : service)
                      .build())
              .getStatus()
          == ServingStatus.SERVING;
    } catch (RuntimeException e) {
      return false;
    } finally {
      channel.shutdownNow();
    }
  }

  /** A port number as is; a port name through the container's ports, as the kubelet does. */
  private static OptionalInt containerPort(IntOrString port, Container container) {
    if (port == null) {
      return OptionalInt.empty();
    }
    if (port.getIntVal() != null) {
      return OptionalInt.of(port.getIntVal());
    }
    return container.getPorts().stream()
        .filter(p -> port.getStrVal().equals(p.getName()))
        .mapToInt(ContainerPort::getContainerPort)
        .findFirst();
  }

  private static SSLSocketFactory trustAll() {
    try {
      var context = SSLContext.getInstance("TLS");
      context.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
      return context.getSocketFactory();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot build the simulated kubelet's TLS context", e);
    }
  }
}
