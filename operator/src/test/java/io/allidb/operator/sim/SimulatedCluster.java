package io.allidb.operator.sim;

import io.allidb.operator.AlliClusters;
import io.allidb.operator.AlliDbOperator;
import io.allidb.operator.OperatorConfig;
import io.allidb.operator.api.AlliCluster;
import io.allidb.operator.api.TenantSpec;
import io.allidb.operator.keys.ApiKeyStep;
import io.allidb.operator.keys.TenantKeys;
import io.allidb.operator.ring.GrpcNodeAdmin;
import io.allidb.operator.ring.NodeAddress;
import io.allidb.operator.ring.NodeAddressResolver;
import io.allidb.operator.ring.SecretAdminCredentials;
import io.allidb.operator.ring.ServiceDnsAddresses;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.Operator;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * A simulated Kubernetes cluster for operator scenarios: fabric8's mock API server (CRUD mode,
 * server-side apply off) with the generated CRD, a {@link FakeStatefulSetController} that runs a
 * real data-plane node per pod, and the real operator talking to those nodes through {@link
 * GrpcNodeAdmin}. Nothing is pre-made: the operator mints the key set, its own admin key and the
 * tenants' keys (and, with TLS, the CAs and certificates) into Secrets, and the simulated kubelet
 * mounts them into the nodes. Reusable by later issues and by e2e (the operator's test jar).
 */
public final class SimulatedCluster implements AutoCloseable {
  /** The tenant {@link #cluster} declares; {@link #dataKey} reads its key. */
  public static final String TENANT = "acme";

  private final KubernetesClient client;
  private final String namespace;
  private final FakeStatefulSetController pods;
  private final Clock clock;

  /** The operator's settings; null: the simulation's own (namespace watched, no election). */
  private OperatorConfig config;

  private Operator operator;
  private GrpcNodeAdmin admin;

  private SimulatedCluster(
      KubernetesClient client, String namespace, FakeStatefulSetController pods, Clock clock) {
    this.client = client;
    this.namespace = namespace;
    this.pods = pods;
    this.clock = clock;
  }

  /** Loads the CRD, creates {@code namespace}, starts the pod controller and the operator. */
  public static SimulatedCluster start(KubernetesClient client, Path root, String namespace)
      throws IOException {
    return start(client, root, namespace, Clock.systemUTC());
  }

  /**
   * As {@link #start(KubernetesClient, Path, String)}, the operator reading time from {@code clock}
   * (certificate lifetimes, key rotation, repair schedules).
   */
  public static SimulatedCluster start(
      KubernetesClient client, Path root, String namespace, Clock clock) throws IOException {
    return start(client, root, namespace, clock, null);
  }

  /**
   * As {@link #start(KubernetesClient, Path, String, Clock)}, the nodes too reading time from
   * {@code clock}: one time for the whole cluster, so a key or certificate the operator dated
   * expires on the nodes when the test moves {@code clock} past it ({@link ShiftedClock}; a clock
   * that stands still would stop the nodes' timeouts).
   */
  public static SimulatedCluster startOnOneClock(
      KubernetesClient client, Path root, String namespace, Clock clock) throws IOException {
    return start(client, root, namespace, clock, clock);
  }

  private static SimulatedCluster start(
      KubernetesClient client, Path root, String namespace, Clock clock, Clock nodeClock)
      throws IOException {
    var crd =
        Serialization.unmarshal(
            Files.readString(Path.of("..", "crds", "alliclusters.allidb.io-v1.yml")),
            CustomResourceDefinition.class);
    client.resource(crd).create();
    client
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
    Files.createDirectories(root);
    var pods = new FakeStatefulSetController(client, namespace, root, nodeClock).start();
    var sim = new SimulatedCluster(client, namespace, pods, clock);
    sim.startOperator();
    return sim;
  }

  /**
   * A simulated cluster on an API server where the chart is already installed (e2e): the CRD, the
   * operator's RBAC and {@code namespace} exist, so only the pod controller and the operator start,
   * the operator with the settings the chart's Deployment gives it ({@code config}: watched
   * namespaces, leader election).
   */
  public static SimulatedCluster startInstalled(
      KubernetesClient client, Path root, String namespace, OperatorConfig config, Clock clock)
      throws IOException {
    Files.createDirectories(root);
    var pods = new FakeStatefulSetController(client, namespace, root).start();
    var sim = new SimulatedCluster(client, namespace, pods, clock);
    sim.config = config;
    sim.startOperator();
    return sim;
  }

  /** A flat cluster "demo" of {@code replicas} nodes, RF 3, auth on with tenant {@link #TENANT}. */
  public static AlliCluster cluster(int replicas) {
    var cluster = AlliClusters.withReplicas(replicas);
    var tenant = new TenantSpec();
    tenant.setName(TENANT);
    cluster.getSpec().getAuth().setTenants(List.of(tenant));
    return cluster;
  }

  /**
   * Pods reached on their loopback gRPC ports, with the cluster's real TLS/auth settings; with TLS
   * the node's certificate is checked against the pod's DNS name, as in a real cluster.
   */
  public NodeAddressResolver addresses() {
    var dns = new ServiceDnsAddresses();
    return (cluster, pod) ->
        new NodeAddress(
            pod,
            "127.0.0.1",
            pods.grpcPort(pod),
            ServiceDnsAddresses.access(cluster),
            dns.resolve(cluster, pod).host());
  }

  public synchronized void startOperator() {
    admin =
        new GrpcNodeAdmin(
            new SecretAdminCredentials(client), Duration.ofSeconds(3), Duration.ofSeconds(30));
    operator =
        AlliDbOperator.create(
            config != null ? config : new OperatorConfig(false, Set.of(namespace), null, "sim", 0),
            client,
            admin,
            addresses(),
            new PrometheusRegistry(),
            clock,
            false);
    operator.start();
  }

  /** Stops the operator as a crash would look to the cluster: status keeps what it had written. */
  public synchronized void stopOperator() {
    if (operator != null) {
      operator.stop();
      admin.close();
      operator = null;
    }
  }

  public FakeStatefulSetController pods() {
    return pods;
  }

  /**
   * The current API key of {@code tenant} of {@code cluster}, as an application reads it from the
   * tenant Secret the operator writes; null while the operator has not written it.
   */
  public String tenantKey(AlliCluster cluster, String tenant) {
    var spec =
        cluster.getSpec().getAuth().getTenants().stream()
            .filter(t -> t.getName().equals(tenant))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("no tenant " + tenant));
    var secret =
        client
            .secrets()
            .inNamespace(namespace)
            .withName(ApiKeyStep.tenantSecret(cluster, spec))
            .get();
    if (secret == null
        || secret.getData() == null
        || !secret.getData().containsKey(TenantKeys.KEY)) {
      return null;
    }
    return new String(
        Base64.getDecoder().decode(secret.getData().get(TenantKeys.KEY)),
        StandardCharsets.US_ASCII);
  }

  public KubernetesClient client() {
    return client;
  }

  public String namespace() {
    return namespace;
  }

  @Override
  public void close() {
    stopOperator();
    pods.close();
  }
}
