package io.allidb.operator.sim;

import io.allidb.dataplane.security.ApiKeyGenerator;
import io.allidb.dataplane.security.KeySetFormat;
import io.allidb.dataplane.security.Scope;
import io.allidb.operator.AlliDbOperator;
import io.allidb.operator.OperatorConfig;
import io.allidb.operator.model.Names;
import io.allidb.operator.ring.GrpcNodeAdmin;
import io.allidb.operator.ring.NodeAddress;
import io.allidb.operator.ring.NodeAddressResolver;
import io.allidb.operator.ring.SecretAdminCredentials;
import io.allidb.operator.ring.ServiceDnsAddresses;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
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
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * A simulated Kubernetes cluster for operator scenarios: fabric8's mock API server (CRUD mode,
 * server-side apply off) with the generated CRD, a {@link FakeStatefulSetController} that runs a
 * real data-plane node per pod, and the real operator talking to those nodes through {@link
 * GrpcNodeAdmin} with the admin key it reads from the cluster's admin Secret. The node key set
 * (what the key-set Secret would mount) holds that admin key and a data key for tenant {@link
 * #TENANT}. Reusable by later issues and e2e.
 */
public final class SimulatedCluster implements AutoCloseable {
  public static final String TENANT = "acme";

  private final KubernetesClient client;
  private final String namespace;
  private final FakeStatefulSetController pods;
  private final String dataKey;
  private Operator operator;
  private GrpcNodeAdmin admin;

  private SimulatedCluster(
      KubernetesClient client, String namespace, FakeStatefulSetController pods, String dataKey) {
    this.client = client;
    this.namespace = namespace;
    this.pods = pods;
    this.dataKey = dataKey;
  }

  /**
   * Loads the CRD, creates {@code namespace}, the key set and the admin Secret of cluster {@code
   * clusterName}, starts the pod controller and the operator.
   */
  public static SimulatedCluster start(
      KubernetesClient client, Path root, String namespace, String clusterName) throws IOException {
    var crd =
        Serialization.unmarshal(
            Files.readString(Path.of("..", "crds", "alliclusters.allidb.io-v1.yml")),
            CustomResourceDefinition.class);
    client.resource(crd).create();
    client
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
    var adminKey = ApiKeyGenerator.mint("operator", "ops", EnumSet.of(Scope.ADMIN), null, null);
    var dataKey =
        ApiKeyGenerator.mint("app", TENANT, EnumSet.of(Scope.READ, Scope.WRITE), null, null);
    Files.createDirectories(root);
    var keySet = root.resolve("node-keys");
    Files.writeString(
        keySet,
        KeySetFormat.format(adminKey.entry()) + "\n" + KeySetFormat.format(dataKey.entry()) + "\n");
    var probe = new io.allidb.operator.api.AlliCluster();
    probe.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withName(clusterName)
            .withNamespace(namespace)
            .build());
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(Names.operatorAdminSecret(probe))
                .withNamespace(namespace)
                .endMetadata()
                .withData(
                    Map.of(
                        SecretAdminCredentials.API_KEY,
                        Base64.getEncoder()
                            .encodeToString(
                                adminKey.presented().getBytes(StandardCharsets.US_ASCII))))
                .build())
        .create();
    var pods = new FakeStatefulSetController(client, namespace, root, keySet).start();
    var sim = new SimulatedCluster(client, namespace, pods, dataKey.presented());
    sim.startOperator();
    return sim;
  }

  /** Pods reached on their loopback gRPC ports, with the cluster's real TLS/auth settings. */
  public NodeAddressResolver addresses() {
    return (cluster, pod) ->
        new NodeAddress(pod, "127.0.0.1", pods.grpcPort(pod), ServiceDnsAddresses.access(cluster));
  }

  public synchronized void startOperator() {
    admin =
        new GrpcNodeAdmin(
            new SecretAdminCredentials(client), Duration.ofSeconds(3), Duration.ofSeconds(30));
    operator =
        AlliDbOperator.create(
            new OperatorConfig(false, Set.of(namespace), null, "sim", 0),
            client,
            admin,
            addresses(),
            new PrometheusRegistry(),
            Clock.systemUTC(),
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

  /** A data-plane API key of tenant {@link #TENANT} (read and write). */
  public String dataKey() {
    return dataKey;
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
