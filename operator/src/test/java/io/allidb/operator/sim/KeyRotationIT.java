package io.allidb.operator.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.allidb.operator.AlliClusters;
import io.allidb.operator.api.AlliCluster;
import io.allidb.operator.api.AlliClusterConditions;
import io.allidb.operator.api.ApiKeysStatus;
import io.allidb.operator.api.Day2Annotations;
import io.allidb.operator.api.TenantSpec;
import io.allidb.operator.keys.TenantKeys;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * API-key rotation on a {@link SimulatedCluster} (issue 8): the real operator mints and rotates the
 * keys, real nodes load the key set from their mounted Secret and authenticate every call, and
 * client threads behave as applications should (docs/operations.md, "API keys"): they use the
 * tenant Secret's {@code api-key} and re-read it periodically. One {@link ShiftedClock} is the time
 * of the operator and of every node, so "a day later" takes no real time and a key the operator
 * dated expires on the nodes when the clock passes it.
 */
@EnableKubernetesMockClient(crud = true)
@Timeout(240)
class KeyRotationIT {
  static final String NS = AlliClusters.NAMESPACE;
  static final Duration WAIT = ClusterDriver.WAIT;
  static final List<String> PODS = List.of("demo-default-0", "demo-default-1", "demo-default-2");
  static final String ACME = SimulatedCluster.TENANT;

  KubernetesClient client;
  @TempDir Path root;
  ShiftedClock clock = new ShiftedClock();
  SimulatedCluster sim;
  ClusterDriver demo;
  final List<TenantClient> clients = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    sim = SimulatedCluster.startOnOneClock(client, root, NS, clock);
    demo = new ClusterDriver(sim, "demo");
  }

  @AfterEach
  void stop() throws Exception {
    for (var c : clients) {
      c.stopAndJoin();
    }
    if (demo != null) {
      demo.close();
    }
    if (sim != null) {
      sim.close();
    }
  }

  @Test
  void rotationOnTheAnnotationWhileClientsSwitchKeysFailsNoRequestAndRefusesTheOldKeyAfter()
      throws Exception {
    demo.create(SimulatedCluster.cluster(3));
    awaitKeysReady();
    var oldKey = demo.tenantKey(ACME);
    var before = apiKeys().getGeneration();
    var uids = podUids();
    var seed = new Random().nextLong();
    System.out.println("[KeyRotationIT] client seed " + seed);
    var random = new Random(seed);
    for (int i = 0; i < 3; i++) {
      clients.add(new TenantClient("c" + i, ACME, random.nextLong()).begin());
    }
    awaitEveryClientUsed(oldKey);
    demo.put(PODS.get(0), oldKey, "probe", 7);

    annotate(Day2Annotations.ROTATE_API_KEYS, "ticket-" + seed);
    // the moment the new key is published, every node must already have it
    var newKey =
        await("a new api-key in the tenant Secret")
            .atMost(WAIT)
            .pollInterval(Duration.ofMillis(50))
            .until(() -> demo.tenantSecretItem(ACME, TenantKeys.KEY), k -> !oldKey.equals(k));
    var generations = demo.keySetGenerations();
    assertThat(generations)
        .as("key-set generation per node when the new key was published")
        .containsOnlyKeys(PODS)
        .allSatisfy((pod, g) -> assertThat(g).as(pod).isGreaterThan(before));
    assertThat(demo.tenantSecretItem(ACME, TenantKeys.PENDING)).as("pending key promoted").isNull();

    awaitEveryClientUsed(newKey);
    // the overlap: both keys work on every node
    for (var pod : PODS) {
      assertThat(demo.version(pod, oldKey, "probe")).as("old key through %s", pod).isEqualTo(7);
      assertThat(demo.version(pod, newKey, "probe")).as("new key through %s", pod).isEqualTo(7);
    }
    var retiring = tenantStatus(ACME);
    assertThat(retiring.getRetiringKeyId()).isEqualTo(TenantKeys.idOf(oldKey));
    assertThat(retiring.getKeyId()).isEqualTo(TenantKeys.idOf(newKey));

    // past the overlap (24 h by default): the nodes refuse the old key by themselves
    clock.advance(Duration.ofHours(24).plusMinutes(1));
    for (var pod : PODS) {
      assertRefused(pod, oldKey, "API key " + TenantKeys.idOf(oldKey) + " expired at ");
    }
    // and the operator drops its line at the next reconcile
    demo.nudge();
    await("the old key's line removed")
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(tenantStatus(ACME).getRetiringKeyId()).isNull());
    await("every node on the key set without the old key")
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(demo.keySetGenerations())
                    .allSatisfy((pod, g) -> assertThat(g).isEqualTo(apiKeys().getGeneration())));
    for (var pod : PODS) {
      assertRefused(pod, oldKey, "invalid API key");
    }
    awaitEveryClientKeepsWorking();

    for (var c : clients) {
      c.stopAndJoin();
      assertThat(c.failures).as("failed requests of %s", c.name).isEmpty();
      assertThat(c.opsByKeyId)
          .as("requests of %s per key id", c.name)
          .containsKeys(TenantKeys.idOf(oldKey), TenantKeys.idOf(newKey));
    }
    assertThat(podUids()).as("no pod restarted").isEqualTo(uids);
  }

  @Test
  void aScheduledRotationDrivenByTheClockBehavesTheSame() throws Exception {
    var cluster = SimulatedCluster.cluster(3);
    cluster.getSpec().getAuth().getTenants().get(0).setRotationPeriod("1h");
    demo.create(cluster);
    awaitKeysReady();
    var oldKey = demo.tenantKey(ACME);
    var before = apiKeys().getGeneration();
    var uids = podUids();
    var seed = new Random().nextLong();
    System.out.println("[KeyRotationIT] client seed " + seed);
    clients.add(new TenantClient("c0", ACME, seed).begin());
    awaitEveryClientUsed(oldKey);

    clock.advance(Duration.ofHours(1).plusMinutes(1));
    demo.nudge();
    var newKey =
        await("the scheduled key in the tenant Secret")
            .atMost(WAIT)
            .pollInterval(Duration.ofMillis(50))
            .until(() -> demo.tenantSecretItem(ACME, TenantKeys.KEY), k -> !oldKey.equals(k));
    assertThat(demo.keySetGenerations())
        .as("key-set generation per node when the new key was published")
        .allSatisfy((pod, g) -> assertThat(g).as(pod).isGreaterThan(before));
    awaitEveryClientUsed(newKey);

    clock.advance(Duration.ofHours(24).plusMinutes(1));
    for (var pod : PODS) {
      assertRefused(pod, oldKey, "API key " + TenantKeys.idOf(oldKey) + " expired at ");
    }
    awaitEveryClientKeepsWorking();
    var c = clients.get(0);
    c.stopAndJoin();
    assertThat(c.failures).as("failed requests").isEmpty();
    assertThat(podUids()).as("no pod restarted").isEqualTo(uids);
  }

  /**
   * The operator was away past a key's lifetime: the nodes refuse it on their own with a message
   * saying so; the operator, back, reports it (condition KeyExpired, a Warning event) and issues a
   * new key.
   */
  @Test
  void anExpiredKeyIsRefusedByTheNodesAndReportedByTheOperator() throws Exception {
    var cluster = SimulatedCluster.cluster(3);
    cluster.getSpec().getAuth().getTenants().get(0).setKeyLifetime("2h");
    demo.create(cluster);
    awaitKeysReady();
    var key = demo.tenantKey(ACME);
    demo.put(PODS.get(0), key, "before", 1);
    assertThat(tenantStatus(ACME).getExpiresAt()).isNotNull();

    sim.stopOperator();
    clock.advance(Duration.ofHours(2).plusMinutes(1));
    for (var pod : PODS) {
      assertRefused(pod, key, "API key " + TenantKeys.idOf(key) + " expired at ");
    }
    // every status write, in order: a watch misses none, however quickly the next one follows
    var seen = Collections.synchronizedList(new ArrayList<String>());
    try (var watch =
        client
            .resources(AlliCluster.class)
            .inNamespace(NS)
            .withName("demo")
            .watch(
                new Watcher<AlliCluster>() {
                  @Override
                  public void eventReceived(Action action, AlliCluster c) {
                    apiKeysReady(c).ifPresent(x -> seen.add(x.getStatus() + "/" + x.getReason()));
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                })) {
      sim.startOperator();
      var replacement =
          await("a new key published")
              .atMost(WAIT)
              .until(() -> demo.tenantSecretItem(ACME, TenantKeys.KEY), k -> !key.equals(k));
      await("ApiKeysReady again")
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(demo.condition(AlliClusterConditions.API_KEYS_READY).getReason())
                      .isEqualTo("Ready"));
      assertThat(seen).as("ApiKeysReady in every status write").contains("False/KeyExpired");
      for (var pod : PODS) {
        assertThat(demo.version(pod, replacement, "before")).isEqualTo(1);
      }
    }
    var warnings = events("Warning", "ApiKeyExpired");
    assertThat(warnings)
        .as("Warning events")
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.getMessage())
                    .contains(ACME)
                    .contains(TenantKeys.idOf(key))
                    .contains("expired at"));
  }

  @Test
  void tenantBsKeyCannotReadTenantAsRows() {
    var cluster = SimulatedCluster.cluster(3);
    var beta = new TenantSpec();
    beta.setName("beta");
    var tenants = new ArrayList<>(cluster.getSpec().getAuth().getTenants());
    tenants.add(beta);
    cluster.getSpec().getAuth().setTenants(tenants);
    demo.create(cluster);
    awaitKeysReady();
    var acme = demo.tenantKey(ACME);
    var betaKey = demo.tenantKey("beta");
    assertThat(TenantKeys.idOf(betaKey)).isNotEqualTo(TenantKeys.idOf(acme));
    for (int k = 0; k < 10; k++) {
      demo.put(PODS.get(k % 3), acme, "row-" + k, 1);
    }
    for (var pod : PODS) {
      for (int k = 0; k < 10; k++) {
        var id = "row-" + k;
        assertThatThrownBy(() -> demo.version(pod, betaKey, id))
            .as("beta reads acme's %s through %s", id, pod)
            .isInstanceOfSatisfying(
                StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
      }
    }
    // the same id written by beta is beta's own row: acme's stays as it was
    demo.put(PODS.get(1), betaKey, "row-0", 99);
    for (var pod : PODS) {
      assertThat(demo.version(pod, acme, "row-0")).as("acme through %s", pod).isEqualTo(1);
      assertThat(demo.version(pod, betaKey, "row-0")).as("beta through %s", pod).isEqualTo(99);
    }
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * An application of one tenant: writes a new row at QUORUM through one pod and reads it back at
   * QUORUM through another, over and over; it re-reads {@code api-key} from its tenant Secret every
   * 200-800 ms (random from its seed), as docs/operations.md tells applications to. Records every
   * failed request (key id only) and the requests per key id.
   */
  final class TenantClient implements Runnable {
    final String name;
    final String tenant;
    final Random random;
    final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    final Map<String, AtomicLong> opsByKeyId = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean stopped;
    private volatile int acked;

    TenantClient(String name, String tenant, long seed) {
      this.name = name;
      this.tenant = tenant;
      this.random = new Random(seed);
      this.thread = new Thread(this, "client-" + name);
      this.thread.setDaemon(true);
    }

    TenantClient begin() {
      thread.start();
      return this;
    }

    @Override
    public void run() {
      String key = null;
      long refreshAt = 0;
      for (long n = 0; !stopped; n++) {
        if (key == null || System.nanoTime() >= refreshAt) {
          try {
            key = demo.tenantSecretItem(tenant, TenantKeys.KEY);
          } catch (RuntimeException e) {
            // the API server, not the data plane: keep the key we have
          }
          refreshAt = System.nanoTime() + Duration.ofMillis(200 + random.nextInt(600)).toNanos();
        }
        var id = name + "-" + n;
        var keyId = TenantKeys.idOf(key);
        try {
          demo.put(PODS.get(random.nextInt(PODS.size())), key, id, n);
          long read = demo.version(PODS.get(random.nextInt(PODS.size())), key, id);
          if (read != n) {
            failures.add(id + " with key " + keyId + ": read version " + read + ", wrote " + n);
          } else {
            acked++;
          }
        } catch (StatusRuntimeException e) {
          failures.add(id + " with key " + keyId + ": " + e.getStatus());
        }
        opsByKeyId.computeIfAbsent(keyId, k -> new AtomicLong()).incrementAndGet();
        sleep(20 + random.nextInt(60));
      }
    }

    long used(String key) {
      var n = opsByKeyId.get(TenantKeys.idOf(key));
      return n == null ? 0 : n.get();
    }

    int acked() {
      return acked;
    }

    void stopAndJoin() throws InterruptedException {
      stopped = true;
      thread.join(Duration.ofSeconds(30).toMillis());
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  void awaitKeysReady() {
    demo.awaitReady(3);
    await("ApiKeysReady")
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(demo.condition(AlliClusterConditions.API_KEYS_READY).getStatus())
                    .isEqualTo("True"));
  }

  void awaitEveryClientUsed(String key) {
    await("every client made 5 requests with key " + TenantKeys.idOf(key))
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(clients)
                    .allSatisfy(
                        c ->
                            assertThat(c.used(key))
                                .as("%s; failures %s", c.name, c.failures)
                                .isGreaterThanOrEqualTo(5)));
  }

  /** Waits until every client has had 5 more requests acknowledged than it has now. */
  void awaitEveryClientKeepsWorking() {
    var before = new HashMap<TenantClient, Integer>();
    clients.forEach(c -> before.put(c, c.acked()));
    await("clients keep working")
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(clients)
                    .allSatisfy(
                        c ->
                            assertThat(c.acked())
                                .as("%s; failures %s", c.name, c.failures)
                                .isGreaterThanOrEqualTo(before.get(c) + 5)));
  }

  void assertRefused(String pod, String key, String message) {
    assertThatThrownBy(() -> demo.version(pod, key, "any"))
        .as("%s presenting key %s", pod, TenantKeys.idOf(key))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
              assertThat(e.getStatus().getDescription()).contains(message);
            });
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

  ApiKeysStatus apiKeys() {
    return demo.fetch().getStatus().getApiKeys();
  }

  ApiKeysStatus.TenantKeyStatus tenantStatus(String tenant) {
    return apiKeys().getTenants().stream()
        .filter(t -> t.getTenant().equals(tenant))
        .findFirst()
        .orElseThrow();
  }

  static java.util.Optional<io.fabric8.kubernetes.api.model.Condition> apiKeysReady(AlliCluster c) {
    if (c.getStatus() == null) {
      return java.util.Optional.empty();
    }
    return c.getStatus().getConditions().stream()
        .filter(x -> x.getType().equals(AlliClusterConditions.API_KEYS_READY))
        .findFirst();
  }

  List<Event> events(String type, String reason) {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> type.equals(e.getType()) && reason.equals(e.getReason()))
        .toList();
  }

  Map<String, String> podUids() {
    return PODS.stream().collect(Collectors.toMap(p -> p, p -> demo.pod(p).getMetadata().getUid()));
  }
}
