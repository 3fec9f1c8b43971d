package io.allidb.operator.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.allidb.api.proto.ConsistencyLevel;
import io.allidb.api.proto.Entity;
import io.allidb.api.proto.GetEntityRequest;
import io.allidb.api.proto.PutEntityRequest;
import io.allidb.api.proto.TextChunk;
import io.allidb.operator.AlliClusters;
import io.allidb.operator.TestingClock;
import io.allidb.operator.api.AlliCluster;
import io.allidb.operator.api.AlliClusterConditions;
import io.allidb.operator.api.CertificatesStatus;
import io.allidb.operator.api.Day2Annotations;
import io.allidb.operator.pki.IssuedCertificate;
import io.allidb.operator.pki.TlsMaterial;
import io.allidb.operator.pki.TlsSecrets;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificate scenarios on the simulated cluster ({@link SimulatedCluster}) with real nodes, real
 * TLS (client port and internode mTLS on loopback) and the real operator minting every CA and leaf.
 *
 * <p><b>Two clocks.</b> The operator reads the test's {@link TestingClock}; the nodes and every TLS
 * handshake (JDK certificate path validation) read the real clock. A certificate the operator
 * issues at fake time F is valid from F - 5 min to F + lifetime in real time too, so each scenario
 * starts the fake clock where the certificates it needs are valid, or expired, for real: renewal
 * starts 70 days in the past with the 90-day default lifetime, so the renewed leaves (issued 61
 * days later, 9 days before real now) are valid for real as well.
 */
@EnableKubernetesMockClient(crud = true)
@Timeout(300)
class CertificateRotationIT {
  static final String NS = AlliClusters.NAMESPACE;
  static final Duration WAIT = ClusterDriver.WAIT;
  static final List<String> PODS = List.of("demo-default-0", "demo-default-1", "demo-default-2");

  KubernetesClient client;
  @TempDir Path root;
  SimulatedCluster sim;
  ClusterDriver demo;
  TestingClock clock;

  void start(Instant fakeNow) throws Exception {
    clock = new TestingClock(fakeNow);
    sim = SimulatedCluster.start(client, root, NS, clock);
    demo = new ClusterDriver(sim, "demo");
  }

  @AfterEach
  void stop() {
    if (demo != null) {
      demo.close();
    }
    if (sim != null) {
      sim.close();
    }
  }

  /** Three nodes, TLS by the operator's PKI; scheduled repair off so the fake clock starts none. */
  static AlliCluster tlsCluster() {
    var c = SimulatedCluster.cluster(3);
    c.getSpec().getTls().setEnabled(true);
    c.getSpec().getRepair().setEnabled(false);
    return c;
  }

  @Test
  void tlsClusterBecomesReadyAndServesClientsAndTheOperatorOverTls() throws Exception {
    start(Instant.now());
    demo.create(tlsCluster());
    demo.awaitReady(3);
    var key = demo.tenantKey();
    for (var pod : PODS) {
      demo.tlsStub(pod, key).putEntity(put("k-" + pod));
      var got = demo.tlsStub(pod, key).getEntity(get("k-" + pod));
      assertThat(got.getEntity().getEntityId()).isEqualTo("k-" + pod);
      // the admin API answers over TLS with the operator's credential, on the current generation
      assertThat(demo.nodeInfo(pod).getCertificateGeneration())
          .isEqualTo(certificates().getGeneration());
      // and the node presents its own leaf from the Secret the operator wrote
      var served = servedCertificate(pod, demo.clientCaBundle());
      assertThat(served).isEqualTo(leaves("client").get(pod).certificate());
    }
    // a client trusting another CA is refused: verification is really on
    var stranger =
        io.allidb.operator.pki.Pem.certificates(
                List.of(
                    io.allidb.operator.pki.CertificateAuthority.create(
                            "stranger", Instant.now(), Duration.ofDays(1))
                        .certificate()))
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    var channel = demo.tlsChannel(PODS.get(0), stranger);
    try {
      assertThatThrownBy(
              () ->
                  io.allidb.api.proto.AlliDBGrpc.newBlockingStub(channel)
                      .withDeadlineAfter(5, TimeUnit.SECONDS)
                      .getEntity(get("k-" + PODS.get(0))))
          .isInstanceOf(StatusRuntimeException.class)
          .hasMessageContaining("UNAVAILABLE");
    } finally {
      channel.shutdownNow();
    }
  }

  /**
   * Leaf renewal at two thirds of the lifetime under a steady TLS + API-key load: the operator
   * re-issues every leaf, the nodes hot-reload (ReloadSecrets and their own file checks) and from
   * then on present the new leaf on new connections; no request fails, no pod restarts.
   */
  @Test
  void leavesRenewUnderSteadyLoadWithoutAFailedRequestOrARestart() throws Exception {
    start(Instant.now().minus(Duration.ofDays(70)));
    demo.create(tlsCluster());
    demo.awaitReady(3);
    var before = snapshot();
    long generation = certificates().getGeneration();
    var oldLeaves = leaves("client");

    try (var load = new TlsClientLoad(demo, PODS, demo::tenantKey, demo::clientCaBundle)) {
      awaitRounds(load, 5);
      // past two thirds of 90 days (+5 min backdating): 60 days 3 min
      clock.advance(Duration.ofDays(61));
      // in 61 real days the idle requeue (every 2 min) would have come many times; ask for one
      // now rather than wait up to 2 minutes of real time
      annotate(Day2Annotations.RECONCILE_NOW, "after-61-days");
      awaitEveryNodeOn(generation + 1);
      var newLeaves = leaves("client");
      for (var pod : PODS) {
        assertThat(newLeaves.get(pod).certificate().getSerialNumber())
            .as("%s re-issued", pod)
            .isNotEqualTo(oldLeaves.get(pod).certificate().getSerialNumber());
      }
      // the load meets every node's new leaf on a fresh handshake
      await("every node presents its renewed leaf")
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                for (var pod : PODS) {
                  assertThat(load.servedSerial(pod))
                      .as("%s's served leaf", pod)
                      .isEqualTo(newLeaves.get(pod).certificate().getSerialNumber());
                }
              });
      awaitRounds(load, 5);
      load.close();
      System.out.println(
          "[load] " + load.ok() + " rounds ok; machine stalls: " + stalls(load.failures()));
      assertThat(load.failuresOtherThanStalls())
          .as("failed requests (of %d ok)", load.ok())
          .isEmpty();
    }
    assertThat(snapshot()).as("pod UIDs and node instances").isEqualTo(before);
    assertThat(demo.condition(AlliClusterConditions.CERTIFICATES_VALID).getStatus())
        .isEqualTo("True");
  }

  /**
   * A CA key replacement under the same load: TrustNew, SignWithNew, Steady, each waiting for every
   * node. The application starts trusting only the old CA and re-reads the bundle from the Secret
   * before each connection (docs/operations.md, "What applications must do"): it never fails. A
   * client that kept the old bundle is refused at the end, so trust really moved.
   */
  @Test
  void caKeyReplacementUnderSteadyLoadWithoutAFailedRequestOrARestart() throws Exception {
    start(Instant.now());
    demo.create(tlsCluster());
    demo.awaitReady(3);
    var before = snapshot();
    var oldBundle = demo.clientCaBundle();
    var oldCa = material("client").bundle();
    assertThat(oldCa).hasSize(1);
    long generation = certificates().getGeneration();
    var phases = new java.util.concurrent.CopyOnWriteArrayList<String>();
    var watcher = phaseRecorder(phases);

    try (var load = new TlsClientLoad(demo, PODS, demo::tenantKey, demo::clientCaBundle)) {
      awaitRounds(load, 5);
      annotate(Day2Annotations.ROTATE_CA, "ticket-1");
      // TrustNew (+1), SignWithNew (+2), Steady (+3): each generation reaches every node
      awaitEveryNodeOn(generation + 3);
      await("both CAs Steady after rotation ticket-1")
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(certificates().getAuthorities())
                      .allSatisfy(
                          a -> {
                            assertThat(a.getPhase()).isEqualTo("Steady");
                            assertThat(a.getRotation()).isEqualTo("ticket-1");
                          }));
      var newBundle = material("client").bundle();
      assertThat(newBundle).as("only the new CA is trusted").hasSize(1);
      assertThat(newBundle.get(0)).isNotEqualTo(oldCa.get(0));
      var newLeaves = leaves("client");
      await("every node presents a leaf of the new CA")
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                for (var pod : PODS) {
                  assertThat(load.servedSerial(pod))
                      .as("%s's served leaf", pod)
                      .isEqualTo(newLeaves.get(pod).certificate().getSerialNumber());
                  load.served(pod).verify(newBundle.get(0).getPublicKey());
                }
              });
      awaitRounds(load, 5);
      load.close();
      System.out.println(
          "[load] " + load.ok() + " rounds ok; machine stalls: " + stalls(load.failures()));
      assertThat(load.failuresOtherThanStalls())
          .as("failed requests (of %d ok)", load.ok())
          .isEmpty();
    } finally {
      watcher.interrupt();
    }
    System.out.println("[ca-rotation] status phases seen: " + phases);
    var steps =
        events().stream()
            .map(
                m ->
                    m.contains("new CA added to every trust bundle")
                        ? "TrustNew"
                        : m.contains("re-issuing leaves with it")
                            ? "SignWithNew"
                            : m.contains("old CA removed from trust") ? "Steady" : "")
            .filter(k -> !k.isEmpty())
            .toList();
    assertThat(steps)
        .as("CertificatesUpdated events of the client CA, by generation")
        .containsExactly("TrustNew", "SignWithNew", "Steady");
    assertThat(phases).as("status phases").contains("TrustNew").endsWith("Steady");
    assertThat(snapshot()).as("pod UIDs and node instances").isEqualTo(before);
    // an application that never re-read the bundle is refused now
    var stale = demo.tlsChannel(PODS.get(0), oldBundle);
    try {
      assertThatThrownBy(
              () ->
                  io.allidb.api.proto.AlliDBGrpc.newBlockingStub(stale)
                      .withDeadlineAfter(5, TimeUnit.SECONDS)
                      .getEntity(get("load-0")))
          .isInstanceOf(StatusRuntimeException.class)
          .hasMessageContaining("UNAVAILABLE");
    } finally {
      stale.shutdownNow();
    }
  }

  static long stalls(List<String> failures) {
    return failures.stream().filter(TlsClientLoad::stall).count();
  }

  void annotate(String annotation, String value) {
    demo.edit(
        c -> {
          if (c.getMetadata().getAnnotations() == null) {
            c.getMetadata().setAnnotations(new HashMap<>());
          }
          c.getMetadata().getAnnotations().put(annotation, value);
        });
  }

  /** Pod UID and node instance per pod: equal snapshots mean no pod and no container restarted. */
  Map<String, List<Object>> snapshot() {
    var out = new HashMap<String, List<Object>>();
    for (var pod : PODS) {
      out.put(pod, List.of(demo.pod(pod).getMetadata().getUid(), demo.node(pod)));
    }
    return out;
  }

  /** Waits for {@code rounds} more successful rounds on every pod. */
  static void awaitRounds(TlsClientLoad load, int rounds) {
    var start = new HashMap<String, Long>();
    PODS.forEach(p -> start.put(p, load.ok(p)));
    await(rounds + " more rounds on every pod")
        .atMost(WAIT)
        .until(() -> PODS.stream().allMatch(p -> load.ok(p) >= start.get(p) + rounds));
  }

  /** Status and every node's own NodeInfo report certificate generation {@code generation}. */
  void awaitEveryNodeOn(long generation) {
    await("every node on certificate generation " + generation)
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              var status = certificates();
              assertThat(status.getGeneration()).as("status generation").isEqualTo(generation);
              assertThat(status.getNodesOnGeneration()).as("nodesOnGeneration").isEqualTo(3);
              for (var pod : PODS) {
                assertThat(demo.nodeInfo(pod).getCertificateGeneration())
                    .as("%s's NodeInfo", pod)
                    .isEqualTo(generation);
              }
            });
  }

  /** Records each change of the client CA's phase in status, until interrupted. */
  Thread phaseRecorder(List<String> phases) {
    var t =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                try {
                  var status = certificates();
                  if (status != null) {
                    status.getAuthorities().stream()
                        .filter(a -> a.getPurpose().equals("client"))
                        .findFirst()
                        .ifPresent(
                            a -> {
                              if (phases.isEmpty()
                                  || !phases.get(phases.size() - 1).equals(a.getPhase())) {
                                phases.add(a.getPhase());
                              }
                            });
                  }
                  Thread.sleep(50);
                } catch (InterruptedException e) {
                  return;
                } catch (RuntimeException e) {
                  // the API server answered with an error once: poll again
                }
              }
            },
            "phase-recorder");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** The client TLS material's CertificatesUpdated events, by generation. */
  List<String> events() {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> "CertificatesUpdated".equals(e.getReason()))
        .map(e -> e.getMessage())
        .filter(m -> m.startsWith("client TLS material generation "))
        .sorted(
            java.util.Comparator.comparingLong(
                m -> Long.parseLong(m.split(" ")[4].replace(":", ""))))
        .toList();
  }

  /**
   * docs/operations.md, "Certificates have expired", as written: the operator was away past the
   * leaves' lifetime. The fake clock starts two hours back with a 1 h lifetime, so every leaf it
   * issues expired an hour ago for the nodes' (real) clock: the nodes refuse each other's and the
   * operator's handshakes and the cluster cannot form. The documented step - start the operator;
   * its clock is now past the expiry - re-issues every leaf in one reconcile, the nodes load them
   * by their periodic reload (nobody can call ReloadSecrets on them), and the cluster comes back
   * with the checks the doc lists.
   */
  @Test
  void expiredCertificatesRecoverAsDocumented() throws Exception {
    start(Instant.now().minus(Duration.ofHours(2)));
    var spec = tlsCluster();
    spec.getSpec().getTls().setCertificateLifetime("1h");
    demo.create(spec);
    var first = PODS.get(0);
    demo.node(first);
    var expiredLeaf = leaves("client").get(first).certificate();
    assertThat(expiredLeaf.getNotAfter().toInstant()).isBefore(Instant.now());

    // the symptom: handshakes refused for expiry, the operator cannot reach the nodes
    var channel = demo.tlsChannel(first, demo.clientCaBundle());
    try {
      assertThatThrownBy(
              () ->
                  io.allidb.api.proto.AlliDBGrpc.newBlockingStub(channel)
                      .withDeadlineAfter(5, TimeUnit.SECONDS)
                      .getEntity(get("k")))
          .isInstanceOf(StatusRuntimeException.class)
          .hasStackTraceContaining("CertificateExpiredException");
    } finally {
      channel.shutdownNow();
    }
    await("the operator reports the nodes unreachable")
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              var degraded = demo.condition(AlliClusterConditions.DEGRADED);
              assertThat(degraded.getReason()).isEqualTo("NodesUnreachable");
            });
    assertThat(demo.condition(AlliClusterConditions.READY).getStatus()).isEqualTo("False");
    long generation = certificates().getGeneration();

    // the documented way back: start the operator (it was away; its clock is past the expiry)
    sim.stopOperator();
    clock.advance(Duration.between(clock.instant(), Instant.now()));
    sim.startOperator();

    // 1. CertificatesValid turns True with a fresh expiry
    await("CertificatesValid True with a fresh expiry")
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              var valid = demo.condition(AlliClusterConditions.CERTIFICATES_VALID);
              assertThat(valid.getStatus()).isEqualTo("True");
              assertThat(Instant.parse(certificates().getEarliestExpiry())).isAfter(Instant.now());
            });
    // 2. every node reports the new generation and the ring is whole again
    demo.awaitReady(3);
    awaitEveryNodeOn(generation + 1);
    var key = demo.tenantKey();
    for (var pod : PODS) {
      demo.tlsStub(pod, key).putEntity(put("after-" + pod));
      assertThat(demo.tlsStub(pod, key).getEntity(get("after-" + pod)).getEntity().getEntityId())
          .isEqualTo("after-" + pod);
    }
    assertThat(servedCertificate(first, demo.clientCaBundle()).getNotAfter().toInstant())
        .isAfter(Instant.now());
  }

  /** The certificate {@code pod} presents to a client trusting {@code bundle}. */
  X509Certificate servedCertificate(String pod, byte[] bundle) throws Exception {
    var load = new TlsClientLoad(demo, List.of(pod), demo::tenantKey, () -> bundle);
    try {
      await(pod + " answers over TLS")
          .atMost(WAIT)
          .until(() -> load.ok() > 0 || !load.failures().isEmpty());
    } finally {
      load.close();
    }
    assertThat(load.failures()).isEmpty();
    return load.served(pod);
  }

  CertificatesStatus certificates() {
    return demo.fetch().getStatus().getCertificates();
  }

  Map<String, IssuedCertificate> leaves(String purpose) {
    return material(purpose).leaves();
  }

  TlsMaterial material(String purpose) {
    return TlsSecrets.readMaterial(
        client.secrets().inNamespace(NS).withName("demo-" + purpose + "-tls").get());
  }

  static PutEntityRequest put(String id) {
    return PutEntityRequest.newBuilder()
        .setConsistencyLevel(ConsistencyLevel.CONSISTENCY_QUORUM)
        .setEntity(
            Entity.newBuilder()
                .setEntityId(id)
                .addChunks(TextChunk.newBuilder().setChunkId(id + "#0").setText("v")))
        .build();
  }

  static GetEntityRequest get(String id) {
    return GetEntityRequest.newBuilder()
        .setEntityId(id)
        .setConsistencyLevel(ConsistencyLevel.CONSISTENCY_QUORUM)
        .build();
  }
}
