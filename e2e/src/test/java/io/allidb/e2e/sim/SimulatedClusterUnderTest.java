package io.allidb.e2e.sim;

import static org.awaitility.Awaitility.await;

import io.allidb.e2e.chart.ChartInstall;
import io.allidb.e2e.chart.HelmChart;
import io.allidb.e2e.chart.RbacRules;
import io.allidb.e2e.scenario.ApiServerCluster;
import io.allidb.operator.OperatorConfig;
import io.allidb.operator.api.AlliCluster;
import io.allidb.operator.api.AlliClusterConditions;
import io.allidb.operator.model.Labels;
import io.allidb.operator.sim.ClusterDriver;
import io.allidb.operator.sim.SimulatedCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.TlsChannelCredentials;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The scenarios' cluster in {@code ./mvnw verify}: the chart rendered by real helm (values {@code
 * src/test/resources/values/mock-server.yaml}, watching the scenarios' namespace) and installed
 * into fabric8's mock API server (CRDs, ServiceAccount, RBAC, Deployment, Service), the operator
 * started with the environment of the rendered Deployment (watched namespaces, leader election in
 * the release namespace, SSA off) and the operator's simulated StatefulSet controller and kubelet
 * running one real data-plane node per pod ({@link SimulatedCluster}, from the operator's test
 * jar). What {@code K3sCluster} gets from k3s and the images, this gets from the simulation; the
 * operator and node code is the same.
 *
 * <p>The client Service is simulated too: each call goes to the next pod whose Ready condition is
 * True, as kube-proxy spreads connections over a Service's ready endpoints.
 */
public final class SimulatedClusterUnderTest extends ApiServerCluster {
  /** The operator pod's name (its leader-election identity). */
  public static final String OPERATOR_POD = "allidb-allidb-operator-5d8f7c9b4-s1m01";

  private final SimulatedCluster sim;
  private final String namespace;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final AtomicInteger next = new AtomicInteger();
  private List<String> endpoints;
  private long endpointsAt;

  private SimulatedClusterUnderTest(
      KubernetesClient client, SimulatedCluster sim, String namespace) {
    super(client);
    this.sim = sim;
    this.namespace = namespace;
  }

  /**
   * {@code helm install} of the chart watching {@code namespace} into the mock server behind {@code
   * client}, then the operator and the simulated pods, node data under {@code root}.
   */
  public static SimulatedClusterUnderTest install(
      KubernetesMockServer server, KubernetesClient client, Path root, String namespace)
      throws IOException {
    List<HasMetadata> objects =
        HelmChart.render(
            List.of(Path.of("src/test/resources/values/mock-server.yaml")),
            Map.of("watchNamespaces[0]", namespace));
    ChartInstall.install(client, objects, List.of(HelmChart.NAMESPACE, namespace));
    var deployment = HelmChart.one(objects, Deployment.class);
    ChartInstall.answerRulesReviewsFrom(
        server,
        RbacRules.of(objects, HelmChart.NAMESPACE, ChartInstall.serviceAccountOf(deployment)));
    var config =
        OperatorConfig.fromEnvironment(ChartInstall.operatorEnvironment(deployment, OPERATOR_POD));
    System.out.println(
        "[sim] operator from the chart: watching "
            + config.namespaces()
            + ", lease in "
            + config.leaseNamespace()
            + ", SSA "
            + config.serverSideApply());
    var sim = SimulatedCluster.startInstalled(client, root, namespace, config, Clock.systemUTC());
    return new SimulatedClusterUnderTest(client, sim, namespace);
  }

  public SimulatedCluster simulation() {
    return sim;
  }

  /** The simulated cluster's bound ({@link ClusterDriver#WAIT}). */
  @Override
  public Duration waitBound() {
    return ClusterDriver.WAIT;
  }

  @Override
  public void apply(AlliCluster cluster) {
    cluster.getMetadata().setNamespace(namespace);
    if (get(cluster.getMetadata().getNamespace(), cluster.getMetadata().getName()) == null) {
      client.resource(cluster).create();
    } else {
      edit(
          namespace,
          cluster.getMetadata().getName(),
          c -> {
            c.setSpec(cluster.getSpec());
            return c;
          });
    }
  }

  /**
   * Ready True, {@code replicas} ready nodes, every one a NORMAL ring member, no ring operation,
   * and every pod's node serving (a status written before a pod was deleted can still say Ready).
   */
  @Override
  public void awaitReady(String namespace, String name, int replicas, Duration timeout) {
    await(name + " Ready with " + replicas + " nodes")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              var c = get(namespace, name);
              if (c == null || c.getStatus() == null) {
                return false;
              }
              var s = c.getStatus();
              return s.getReadyReplicas() != null
                  && s.getReadyReplicas() == replicas
                  && s.getRingMembers().size() == replicas
                  && s.getRingOperation() == null
                  && s.getConditions().stream()
                      .anyMatch(
                          k ->
                              AlliClusterConditions.READY.equals(k.getType())
                                  && "True".equals(k.getStatus()))
                  && readyPods(name).size() == replicas;
            });
  }

  @Override
  public List<String> pods(String namespace, String name) {
    return client
        .pods()
        .inNamespace(namespace)
        .withLabels(Map.of(Labels.INSTANCE, name, Labels.NAME, Labels.APP))
        .list()
        .getItems()
        .stream()
        .map(p -> p.getMetadata().getName())
        .sorted()
        .toList();
  }

  /**
   * The Service's endpoints: {@link #readyPods}, listed again once the last list is a second old
   * (as endpoints lag pods in Kubernetes too).
   */
  private synchronized List<String> endpoints(String name) {
    var now = System.nanoTime();
    if (endpoints == null || now - endpointsAt > TimeUnit.SECONDS.toNanos(1)) {
      endpoints = readyPods(name);
      endpointsAt = now;
    }
    return endpoints;
  }

  /** Pods of the cluster whose Ready condition is True and whose node serves. */
  private List<String> readyPods(String name) {
    return client
        .pods()
        .inNamespace(namespace)
        .withLabels(Map.of(Labels.INSTANCE, name, Labels.NAME, Labels.APP))
        .list()
        .getItems()
        .stream()
        .filter(
            p ->
                p.getStatus() != null
                    && p.getStatus().getConditions() != null
                    && p.getStatus().getConditions().stream()
                        .anyMatch(k -> "Ready".equals(k.getType()) && "True".equals(k.getStatus())))
        .map(p -> p.getMetadata().getName())
        .filter(p -> sim.pods().node(p) != null)
        .sorted()
        .toList();
  }

  /**
   * Deletes the AlliCluster and, once its finalizer has run, does what Kubernetes' garbage
   * collector would (the mock server has none): deletes every object the AlliCluster owns; the
   * simulated StatefulSet controller then stops the pods of the deleted StatefulSets.
   */
  @Override
  public void delete(String namespace, String name, Duration timeout) {
    var uid = get(namespace, name).getMetadata().getUid();
    client.resources(AlliCluster.class).inNamespace(namespace).withName(name).delete();
    await(name + " deleted (finalizer done)")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> get(namespace, name) == null);
    collectGarbage(namespace, uid);
    await(name + "'s pods gone")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> pods(namespace, name).isEmpty());
  }

  private void collectGarbage(String namespace, String ownerUid) {
    List<List<? extends HasMetadata>> kinds =
        List.of(
            client.apps().statefulSets().inNamespace(namespace).list().getItems(),
            client.services().inNamespace(namespace).list().getItems(),
            client.configMaps().inNamespace(namespace).list().getItems(),
            client.secrets().inNamespace(namespace).list().getItems(),
            client.serviceAccounts().inNamespace(namespace).list().getItems(),
            client.policy().v1().podDisruptionBudget().inNamespace(namespace).list().getItems());
    for (var objects : kinds) {
      for (var o : objects) {
        var owners = o.getMetadata().getOwnerReferences();
        if (owners != null && owners.stream().anyMatch(r -> ownerUid.equals(r.getUid()))) {
          System.out.println(
              "[sim] garbage collector: deleting "
                  + o.getClass().getSimpleName()
                  + " "
                  + o.getMetadata().getName());
          client.resource(o).delete();
        }
      }
    }
  }

  @Override
  public Channel channel(String namespace, String name, byte[] trustBundle) {
    return new Channel() {
      @Override
      public <Q, R> ClientCall<Q, R> newCall(MethodDescriptor<Q, R> method, CallOptions options) {
        var ready = endpoints(name);
        if (ready.isEmpty()) {
          throw new IllegalStateException("Service " + name + " has no ready endpoint");
        }
        var pod = ready.get(Math.floorMod(next.getAndIncrement(), ready.size()));
        return podChannel(pod, name, trustBundle).newCall(method, options);
      }

      @Override
      public String authority() {
        return name + "." + namespace + ".svc";
      }
    };
  }

  /** One channel per pod and trust bundle; TLS checks the Service's name, as a client would. */
  private ManagedChannel podChannel(String pod, String service, byte[] trustBundle) {
    var port = sim.pods().grpcPort(pod);
    var key =
        port + "/" + (trustBundle == null ? "" : new String(trustBundle, StandardCharsets.UTF_8));
    return channels.computeIfAbsent(
        key,
        k -> {
          if (trustBundle == null) {
            return Grpc.newChannelBuilderForAddress(
                    "127.0.0.1", port, InsecureChannelCredentials.create())
                .build();
          }
          try {
            var credentials =
                TlsChannelCredentials.newBuilder()
                    .trustManager(new ByteArrayInputStream(trustBundle))
                    .build();
            return Grpc.newChannelBuilderForAddress("127.0.0.1", port, credentials)
                .overrideAuthority(service + "." + namespace + ".svc")
                .build();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  @Override
  public String diagnostics(String namespace) {
    var out = new StringBuilder();
    try {
      for (var c : client.resources(AlliCluster.class).inNamespace(namespace).list().getItems()) {
        out.append("--- AlliCluster ")
            .append(c.getMetadata().getName())
            .append(" status\n")
            .append(Serialization.asYaml(c.getStatus()))
            .append('\n');
      }
      out.append("--- pods running a node: ").append(sim.pods().runningPods()).append('\n');
      out.append("--- events\n");
      client
          .v1()
          .events()
          .inNamespace(namespace)
          .list()
          .getItems()
          .forEach(
              e ->
                  out.append(e.getLastTimestamp())
                      .append(' ')
                      .append(e.getReason())
                      .append(' ')
                      .append(e.getMessage())
                      .append('\n'));
    } catch (RuntimeException e) {
      out.append("(diagnostics incomplete: ").append(e).append(")\n");
    }
    return out.toString();
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    for (var channel : channels.values()) {
      try {
        channel.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    sim.close();
  }
}
