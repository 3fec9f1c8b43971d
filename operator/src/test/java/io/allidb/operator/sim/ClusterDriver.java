package io.allidb.operator.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.allidb.api.proto.AlliDBGrpc;
import io.allidb.api.proto.ConsistencyLevel;
import io.allidb.api.proto.Entity;
import io.allidb.api.proto.GetEntityRequest;
import io.allidb.api.proto.PutEntityRequest;
import io.allidb.api.proto.TextChunk;
import io.allidb.operator.MockApi;
import io.allidb.operator.api.AlliCluster;
import io.allidb.operator.api.AlliClusterConditions;
import io.allidb.operator.api.RingMember;
import io.allidb.operator.api.RingMemberState;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What a person on call does to and sees of one AlliCluster in a {@link SimulatedCluster}: {@code
 * kubectl} (create, edit the spec, read status, conditions, pods, claims) and a gRPC client per pod
 * writing and reading at QUORUM with the tenant key from the tenant Secret. Every wait is bounded
 * by {@link #WAIT} (a bound against hangs, not a timing check). Closing it closes its channels.
 */
public final class ClusterDriver implements AutoCloseable {
  /**
   * A bound against hangs, not a timing check: two decommissions plus an operator restart took over
   * 90 s on a loaded 2-core machine.
   */
  public static final Duration WAIT = Duration.ofMinutes(4);

  private static final Metadata.Key<String> API_KEY =
      Metadata.Key.of("x-allidb-api-key", Metadata.ASCII_STRING_MARSHALLER);

  private final SimulatedCluster sim;
  private final KubernetesClient client;
  private final String name;
  private final Map<Integer, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final List<ManagedChannel> tlsChannels =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  public ClusterDriver(SimulatedCluster sim, String name) {
    this.sim = sim;
    this.client = sim.client();
    this.name = name;
  }

  public AlliCluster create(AlliCluster cluster) {
    cluster.getMetadata().setUid(null);
    cluster.getMetadata().setGeneration(null);
    cluster.getMetadata().setNamespace(sim.namespace());
    return client.resource(cluster).create();
  }

  public AlliCluster fetch() {
    return client.resources(AlliCluster.class).inNamespace(sim.namespace()).withName(name).get();
  }

  /** A spec edit, retried when it races the operator's status write (409). */
  public void edit(Consumer<AlliCluster> change) {
    MockApi.editCluster(
        client,
        sim.namespace(),
        name,
        c -> {
          change.accept(c);
          return c;
        });
  }

  /** Waits until Ready is True with {@code nodes} NORMAL members and no ring operation. */
  public void awaitReady(int nodes) {
    await("cluster Ready with " + nodes + " NORMAL members")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              var status = fetch().getStatus();
              assertThat(status).as("status").isNotNull();
              assertThat(condition(AlliClusterConditions.READY).getStatus())
                  .as("Ready; status %s", Serialization.asJson(status))
                  .isEqualTo("True");
              assertThat(status.getRingMembers())
                  .hasSize(nodes)
                  .allSatisfy(m -> assertThat(m.getState()).isEqualTo(RingMemberState.NORMAL));
              assertThat(status.getRingOperation()).isNull();
            });
  }

  public Condition condition(String type) {
    return fetch().getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no condition " + type));
  }

  public List<String> members() {
    return fetch().getStatus().getRingMembers().stream().map(RingMember::getPod).toList();
  }

  public Pod pod(String pod) {
    return client.pods().inNamespace(sim.namespace()).withName(pod).get();
  }

  public StatefulSet statefulSet(String rack) {
    return client
        .apps()
        .statefulSets()
        .inNamespace(sim.namespace())
        .withName(name + "-" + rack)
        .get();
  }

  public PersistentVolumeClaim claim(String pod) {
    return client
        .persistentVolumeClaims()
        .inNamespace(sim.namespace())
        .withName("data-" + pod)
        .get();
  }

  /** The node of {@code pod} once it serves (a restarted pod's node may take a moment). */
  public InJvmNode node(String pod) {
    return await(pod + "'s node started")
        .atMost(WAIT)
        .until(() -> sim.pods().node(pod), Objects::nonNull);
  }

  /** The key applications of tenant {@link SimulatedCluster#TENANT} read from its Secret. */
  public String tenantKey() {
    return await("the tenant Secret")
        .atMost(WAIT)
        .until(() -> sim.tenantKey(fetch(), SimulatedCluster.TENANT), Objects::nonNull);
  }

  /**
   * Item {@code item} ({@code api-key}, {@code pending-api-key}) of the Secret of {@code tenant},
   * as an application reads it; null while absent.
   */
  public String tenantSecretItem(String tenant, String item) {
    var cluster = fetch();
    var spec =
        cluster.getSpec().getAuth().getTenants().stream()
            .filter(t -> t.getName().equals(tenant))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("no tenant " + tenant));
    var secret =
        client
            .secrets()
            .inNamespace(sim.namespace())
            .withName(io.allidb.operator.keys.ApiKeyStep.tenantSecret(cluster, spec))
            .get();
    if (secret == null || secret.getData() == null || !secret.getData().containsKey(item)) {
      return null;
    }
    return new String(
        java.util.Base64.getDecoder().decode(secret.getData().get(item)),
        java.nio.charset.StandardCharsets.US_ASCII);
  }

  /** The current key of {@code tenant} once the operator has published one. */
  public String tenantKey(String tenant) {
    return await(tenant + "'s Secret")
        .atMost(WAIT)
        .until(() -> tenantSecretItem(tenant, "api-key"), Objects::nonNull);
  }

  /**
   * The key-set generation each running node reports through its admin API ({@code NodeInfo}),
   * asked the way the operator asks: with the operator's admin key from its Secret. Throws when a
   * node refuses or does not answer.
   */
  public Map<String, Long> keySetGenerations() {
    var cluster = fetch();
    var out = new java.util.TreeMap<String, Long>();
    try (var admin =
        new io.allidb.operator.ring.GrpcNodeAdmin(
            new io.allidb.operator.ring.SecretAdminCredentials(client),
            Duration.ofSeconds(5),
            Duration.ofSeconds(30))) {
      for (var pod : sim.pods().runningPods()) {
        out.put(pod, admin.nodeInfo(sim.addresses().resolve(cluster, pod)).keySetGeneration());
      }
    }
    return out;
  }

  /**
   * Makes the operator reconcile now: an annotation on a pod is an event its pod informer passes
   * on. For what no Kubernetes event announces (a fake clock moved forward), instead of waiting for
   * the periodic reconcile; nothing restarts.
   */
  public void nudge() {
    var pod = sim.pods().runningPods().get(0);
    client
        .pods()
        .inNamespace(sim.namespace())
        .withName(pod)
        .edit(
            p -> {
              if (p.getMetadata().getAnnotations() == null) {
                p.getMetadata().setAnnotations(new java.util.HashMap<>());
              }
              p.getMetadata()
                  .getAnnotations()
                  .put("sim.allidb.io/nudge", String.valueOf(System.nanoTime()));
              return p;
            });
  }

  /** A stub on {@code pod} presenting {@code apiKey}, with a 5 s deadline per call. */
  public AlliDBGrpc.AlliDBBlockingStub stub(String pod, String apiKey) {
    int port = sim.pods().grpcPort(pod);
    var channel =
        channels.computeIfAbsent(
            port, p -> NettyChannelBuilder.forAddress("127.0.0.1", p).usePlaintext().build());
    var md = new Metadata();
    md.put(API_KEY, apiKey);
    return AlliDBGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
        .withDeadlineAfter(5, TimeUnit.SECONDS);
  }

  /** Writes {@code id} at QUORUM through {@code pod}, {@code version} in its chunk metadata. */
  public void put(String pod, String apiKey, String id, long version) {
    stub(pod, apiKey).putEntity(versionedWrite(id, version));
  }

  /**
   * The QUORUM write of {@code id} carrying {@code version} in its one chunk's metadata, which
   * {@link #version} and the scenario loads read back.
   */
  public static PutEntityRequest versionedWrite(String id, long version) {
    return PutEntityRequest.newBuilder()
        .setConsistencyLevel(ConsistencyLevel.CONSISTENCY_QUORUM)
        .setEntity(
            Entity.newBuilder()
                .setEntityId(id)
                .addChunks(
                    TextChunk.newBuilder()
                        .setChunkId(id + "#0")
                        .setText("v")
                        .putMetadata("v", Long.toString(version))))
        .build();
  }

  /** The version {@link #put} wrote, read at QUORUM through {@code pod}. */
  public long version(String pod, String apiKey, String id) {
    var e =
        stub(pod, apiKey)
            .getEntity(
                GetEntityRequest.newBuilder()
                    .setEntityId(id)
                    .setConsistencyLevel(ConsistencyLevel.CONSISTENCY_QUORUM)
                    .build())
            .getEntity();
    return Long.parseLong(e.getChunks(0).getMetadataOrThrow("v"));
  }

  /** Hints pending per node and target, for failure messages. */
  public String hints() {
    var out = new StringBuilder();
    for (var pod : sim.pods().runningPods()) {
      var node = sim.pods().node(pod);
      if (node == null) {
        continue;
      }
      var store = node.server().hintStore();
      for (var target : store.targets()) {
        out.append(pod).append("->").append(target).append('=').append(store.pending(target));
        out.append(' ');
      }
    }
    return out.toString();
  }

  /**
   * The pod's DNS name under the headless Service, which its operator-issued certificates carry
   * (what a client in the cluster dials, and so the TLS authority for the loopback ports).
   */
  public String podDnsName(String pod) {
    return pod + "." + name + "-nodes." + sim.namespace() + ".svc";
  }

  /**
   * The client CA bundle ({@code ca.crt} of {@code <cluster>-client-tls}) as an application reads
   * it from the Secret the operator writes; null while the operator has not written it.
   */
  public byte[] clientCaBundle() {
    var secret = client.secrets().inNamespace(sim.namespace()).withName(name + "-client-tls").get();
    if (secret == null || secret.getData() == null || !secret.getData().containsKey("ca.crt")) {
      return null;
    }
    return java.util.Base64.getDecoder().decode(secret.getData().get("ca.crt"));
  }

  /**
   * A new TLS channel to {@code pod}'s loopback gRPC port trusting exactly the CAs in {@code
   * caBundle} (PEM) and checking the node's certificate against {@link #podDnsName}, as an
   * application in the cluster would. The caller shuts it down.
   */
  public ManagedChannel tlsChannel(
      String pod, byte[] caBundle, io.grpc.ClientInterceptor... interceptors) {
    try {
      var tls =
          io.grpc.TlsChannelCredentials.newBuilder()
              .trustManager(new java.io.ByteArrayInputStream(caBundle))
              .build();
      return io.grpc.Grpc.newChannelBuilderForAddress("127.0.0.1", sim.pods().grpcPort(pod), tls)
          .overrideAuthority(podDnsName(pod))
          .intercept(interceptors)
          .build();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("the client CA bundle is not PEM", e);
    }
  }

  /**
   * A stub on {@code pod} over TLS (trusting the client CA bundle from its Secret, read now)
   * presenting {@code apiKey}, with a 5 s deadline per call. Its channel is closed with the driver.
   */
  public AlliDBGrpc.AlliDBBlockingStub tlsStub(String pod, String apiKey) {
    var bundle =
        await("the client CA bundle").atMost(WAIT).until(this::clientCaBundle, Objects::nonNull);
    var channel = tlsChannel(pod, bundle);
    tlsChannels.add(channel);
    var md = new Metadata();
    md.put(API_KEY, apiKey);
    return AlliDBGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
        .withDeadlineAfter(5, TimeUnit.SECONDS);
  }

  /**
   * {@code NodeInfo} of {@code pod} through its admin API over TLS, with the operator's admin
   * credential (key and CA bundle from {@code <cluster>-operator-admin}): the generations the node
   * reports having loaded.
   */
  public io.allidb.api.admin.NodeInfoReply nodeInfo(String pod) {
    var secret =
        client.secrets().inNamespace(sim.namespace()).withName(name + "-operator-admin").get();
    assertThat(secret).as("the operator's admin Secret").isNotNull();
    var data = secret.getData();
    try (var admin =
        io.allidb.client.AlliAdminClient.builder()
            .target("127.0.0.1:" + sim.pods().grpcPort(pod))
            .authority(podDnsName(pod))
            .trustBundle(java.util.Base64.getDecoder().decode(data.get("ca.crt")))
            .apiKey(
                new String(
                        java.util.Base64.getDecoder().decode(data.get("api-key")),
                        java.nio.charset.StandardCharsets.US_ASCII)
                    .strip())
            .deadline(Duration.ofSeconds(5))
            .waitForReady(false)
            .build()) {
      return admin.nodeInfo();
    }
  }

  /**
   * The Kubernetes events on the cluster as {@code "<reason>: <message>"}, e.g. {@code
   * "DecommissionStarted: Decommission of demo-default-4 started (rack default)"}.
   */
  public List<String> events() {
    return client.v1().events().inNamespace(sim.namespace()).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .map(e -> e.getReason() + ": " + e.getMessage())
        .toList();
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    tlsChannels.forEach(ManagedChannel::shutdownNow);
  }
}
