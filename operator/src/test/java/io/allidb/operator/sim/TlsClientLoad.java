package io.allidb.operator.sim;

import io.allidb.api.proto.AlliDBGrpc;
import io.allidb.api.proto.ConsistencyLevel;
import io.allidb.api.proto.GetEntityRequest;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.stub.MetadataUtils;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * An application writing and reading through TLS and an API key while certificates change under it:
 * one thread, round robin over the pods, each round a <b>new</b> connection (so every round is a
 * fresh handshake against whatever the node serves now; a long-lived connection would keep its
 * first session and never meet a rotated certificate), a QUORUM write and a QUORUM read of what it
 * wrote. The trust bundle comes from {@code bundle} before each connection: the application
 * re-reads the client CA bundle (docs/operations.md, "What applications must do"). Every failed
 * call is recorded with its pod and message; nothing is retried.
 */
final class TlsClientLoad implements AutoCloseable {
  private static final Metadata.Key<String> API_KEY =
      Metadata.Key.of("x-allidb-api-key", Metadata.ASCII_STRING_MARSHALLER);

  private final ClusterDriver cluster;
  private final List<String> pods;
  private final Supplier<String> apiKey;
  private final Supplier<byte[]> bundle;
  private final Thread thread;
  private final AtomicLong ok = new AtomicLong();
  private final Map<String, AtomicLong> okByPod = new ConcurrentHashMap<>();
  private final List<String> failures = new CopyOnWriteArrayList<>();
  private final Map<String, BigInteger> servedSerial = new ConcurrentHashMap<>();
  private final Map<String, X509Certificate> served = new ConcurrentHashMap<>();
  private volatile boolean running = true;

  TlsClientLoad(
      ClusterDriver cluster, List<String> pods, Supplier<String> apiKey, Supplier<byte[]> bundle) {
    this.cluster = cluster;
    this.pods = List.copyOf(pods);
    this.apiKey = apiKey;
    this.bundle = bundle;
    pods.forEach(p -> okByPod.put(p, new AtomicLong()));
    this.thread = new Thread(this::run, "tls-client-load");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    long round = 0;
    while (running) {
      var pod = pods.get((int) (round % pods.size()));
      var id = "load-" + (round % 50);
      round++;
      var peer = new PeerCertificate();
      var channel = cluster.tlsChannel(pod, bundle.get(), peer);
      try {
        var md = new Metadata();
        md.put(API_KEY, apiKey.get());
        var stub =
            AlliDBGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
        stub.withDeadlineAfter(10, TimeUnit.SECONDS)
            .putEntity(ClusterDriver.versionedWrite(id, round));
        var read =
            stub.withDeadlineAfter(10, TimeUnit.SECONDS)
                .getEntity(
                    GetEntityRequest.newBuilder()
                        .setEntityId(id)
                        .setConsistencyLevel(ConsistencyLevel.CONSISTENCY_QUORUM)
                        .build())
                .getEntity();
        long v = Long.parseLong(read.getChunks(0).getMetadataOrThrow("v"));
        if (v != round) {
          failures.add(pod + ": read " + id + " version " + v + " after writing " + round);
        } else {
          ok.incrementAndGet();
          okByPod.get(pod).incrementAndGet();
          if (peer.certificate != null) {
            served.put(pod, peer.certificate);
            servedSerial.put(pod, peer.certificate.getSerialNumber());
          }
        }
      } catch (RuntimeException e) {
        Throwable root = e;
        while (root.getCause() != null) {
          root = root.getCause();
        }
        failures.add(pod + ": " + e.getMessage().lines().findFirst().orElse("") + " <- " + root);
        System.out.println("[load] " + pod + " failed: " + failures.get(failures.size() - 1));
      } finally {
        channel.shutdownNow();
      }
    }
  }

  /** Successful rounds (a write and its read) so far. */
  long ok() {
    return ok.get();
  }

  long ok(String pod) {
    return okByPod.get(pod).get();
  }

  List<String> failures() {
    return List.copyOf(failures);
  }

  /**
   * Failures other than a stall of the whole machine: a QUORUM write or read whose every replica
   * call ran into the data plane's fixed 2 s internode deadline. On a 2-core machine at load 15 and
   * more the JVM that runs three nodes, the operator and the API server stalls now and then (seen
   * before any certificate changed); a certificate problem fails differently - a handshake (the
   * client's, UNAVAILABLE with an SSL cause) or a replica refused with UNAVAILABLE.
   */
  List<String> failuresOtherThanStalls() {
    return failures.stream().filter(f -> !stall(f)).toList();
  }

  static boolean stall(String failure) {
    if (!failure.contains("required replicas acknowledged; failed: {")) {
      return false;
    }
    var replicas = failure.substring(failure.indexOf("failed: {") + 9);
    var statuses = replicas.split("=Status\\{code=");
    if (statuses.length < 2) {
      return false;
    }
    for (int i = 1; i < statuses.length; i++) {
      if (!statuses[i].startsWith("DEADLINE_EXCEEDED")) {
        return false;
      }
    }
    return true;
  }

  /** The serial of the certificate {@code pod} presented in the last successful round. */
  BigInteger servedSerial(String pod) {
    return servedSerial.get(pod);
  }

  X509Certificate served(String pod) {
    return served.get(pod);
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(TimeUnit.SECONDS.toMillis(30));
  }

  /** Records the certificate the server presented on the call's connection. */
  private static final class PeerCertificate implements ClientInterceptor {
    volatile X509Certificate certificate;

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(
        MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
      var call = next.newCall(method, options);
      return new ForwardingClientCall.SimpleForwardingClientCall<>(call) {
        @Override
        public void start(Listener<R> listener, Metadata headers) {
          super.start(
              new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                @Override
                public void onHeaders(Metadata h) {
                  var session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
                  if (session != null) {
                    try {
                      certificate = (X509Certificate) session.getPeerCertificates()[0];
                    } catch (SSLPeerUnverifiedException e) {
                      certificate = null;
                    }
                  }
                  super.onHeaders(h);
                }
              },
              headers);
        }
      };
    }
  }
}
