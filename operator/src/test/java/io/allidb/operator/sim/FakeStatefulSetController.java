package io.allidb.operator.sim;

import io.allidb.operator.model.Ports;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The parts of Kubernetes the operator relies on but the mock API server lacks: a StatefulSet
 * controller and a kubelet. Every 200 ms, for each StatefulSet of the namespace:
 *
 * <ul>
 *   <li>ordinals below {@code replicas} get a Pod (template labels and annotations, owned by the
 *       StatefulSet) and, when the Pod is created, a data claim {@code data-<pod>} if missing; a
 *       claim deleted under a running Pod is not recreated for it; ordinals at or above it lose
 *       their Pod (claims are retained, as {@code whenScaled: Retain} says);
 *   <li>each Pod gets a real data-plane node in this JVM, started from the container args and env
 *       the operator rendered ({@link PodLaunch}), with its ConfigMap and Secret volumes projected
 *       and kept in sync as the kubelet does ({@link PodVolumes}). The simulation replaces only
 *       what one host cannot share: loopback ports, mount paths (one data directory per claim, so a
 *       restarted pod keeps its data and a deleted claim loses it) and seeds as loopback addresses
 *       instead of the headless Service's DNS name;
 *   <li>a Pod is marked Ready while the readiness probe rendered in its spec succeeds, executed as
 *       the kubelet executes it ({@link KubeletProbe}) against the pod's loopback ports, so a probe
 *       that cannot work on Kubernetes (a plaintext gRPC probe of a TLS port) fails here too; a
 *       deleted Pod's node is stopped.
 * </ul>
 */
public final class FakeStatefulSetController implements AutoCloseable {
  private final KubernetesClient client;
  private final String namespace;
  private final Path root;
  private final Map<String, int[]> ports = new ConcurrentHashMap<>();
  private final Map<String, Future<InJvmNode>> nodes = new ConcurrentHashMap<>();
  private final Map<String, PodVolumes> mounted = new ConcurrentHashMap<>();

  /** The pod object (uid) each node was started for: a node outlives no pod object. */
  private final Map<String, String> startedFor = new ConcurrentHashMap<>();

  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
  private final ExecutorService starts = Executors.newCachedThreadPool();

  private final Clock nodeClock;

  public FakeStatefulSetController(KubernetesClient client, String namespace, Path root) {
    this(client, namespace, root, null);
  }

  /**
   * @param nodeClock the wall clock every node reads, or null for the system clock
   */
  public FakeStatefulSetController(
      KubernetesClient client, String namespace, Path root, Clock nodeClock) {
    this.client = client;
    this.namespace = namespace;
    this.root = root;
    this.nodeClock = nodeClock;
  }

  public FakeStatefulSetController start() {
    loop.scheduleWithFixedDelay(this::safeTick, 0, 200, TimeUnit.MILLISECONDS);
    return this;
  }

  /** The loopback gRPC port of {@code pod} (stable for the pod name, like its DNS name). */
  public int grpcPort(String pod) {
    return ports(pod)[0];
  }

  /** The loopback REST (HTTP or HTTPS) port of {@code pod}, which its probes ask. */
  public int httpPort(String pod) {
    return ports(pod)[2];
  }

  /** The running node of {@code pod}, or null while it is not (yet) serving. */
  public InJvmNode node(String pod) {
    var f = nodes.get(pod);
    if (f == null || !f.isDone()) {
      return null;
    }
    try {
      return f.get();
    } catch (Exception e) {
      return null;
    }
  }

  /** Pods whose node serves. */
  public List<String> runningPods() {
    return nodes.keySet().stream().filter(p -> node(p) != null).sorted().toList();
  }

  private int[] ports(String pod) {
    return ports.computeIfAbsent(pod, p -> freePorts());
  }

  private void safeTick() {
    try {
      tick();
    } catch (RuntimeException e) {
      System.out.println("[sim] controller tick failed: " + e);
    }
  }

  private void tick() {
    // a node that failed to start is a crashed container: the next tick starts it again
    for (var e : List.copyOf(nodes.entrySet())) {
      if (e.getValue().isDone() && node(e.getKey()) == null) {
        nodes.remove(e.getKey());
        try {
          e.getValue().get();
        } catch (Exception failure) {
          System.out.println("[sim] " + e.getKey() + " failed to start: " + failure.getCause());
        }
      }
    }
    var wanted = new HashSet<String>();
    for (var sts : client.apps().statefulSets().inNamespace(namespace).list().getItems()) {
      var name = sts.getMetadata().getName();
      int replicas = sts.getSpec().getReplicas() == null ? 0 : sts.getSpec().getReplicas();
      for (int i = 0; i < replicas; i++) {
        var pod = name + "-" + i;
        wanted.add(pod);
        var existing = client.pods().inNamespace(namespace).withName(pod).get();
        if (existing == null) {
          if (nodes.containsKey(pod)) {
            // deleted since the last tick: its container goes with it, even though a pod of the
            // same name is created right away (the new pod gets a new node)
            stopNode(pod);
          }
          // like the real controller, claims are made when the pod is: a claim deleted under a
          // running pod (onDelete: Delete, a replace) is not brought back for that pod
          ensureClaim(sts, pod);
          createPod(sts, pod);
        } else if (!nodes.containsKey(pod)) {
          startedFor.put(pod, existing.getMetadata().getUid());
          startNode(sts, pod);
        }
      }
    }
    var pods = client.pods().inNamespace(namespace).list().getItems();
    var present = new HashSet<String>();
    for (Pod pod : pods) {
      var name = pod.getMetadata().getName();
      if (!wanted.contains(name)) {
        client.pods().inNamespace(namespace).withName(name).delete(); // scaled away
        continue;
      }
      var startedUid = startedFor.get(name);
      if (startedUid != null && !startedUid.equals(pod.getMetadata().getUid())) {
        // deleted and already recreated between two ticks: the old pod's container dies with it,
        // the new pod's starts at the next tick (without this, the old node kept serving)
        stopNode(name);
        continue;
      }
      present.add(name);
      var volumes = mounted.get(name);
      if (volumes != null) {
        volumes.project(); // the kubelet's sync: changed Secrets and ConfigMaps reach the pod
      }
      updateReadiness(pod);
    }
    // a pod object gone (deleted by the operator or a test) takes its container with it
    for (var pod : List.copyOf(nodes.keySet())) {
      if (!present.contains(pod)) {
        stopNode(pod);
      }
    }
    removeVolumesOfDeletedClaims();
  }

  private void ensureClaim(StatefulSet sts, String pod) {
    var claimName = "data-" + pod;
    if (client.persistentVolumeClaims().inNamespace(namespace).withName(claimName).get() != null) {
      return;
    }
    var template = sts.getSpec().getVolumeClaimTemplates().get(0);
    PersistentVolumeClaim claim =
        new PersistentVolumeClaimBuilder()
            .withNewMetadata()
            .withName(claimName)
            .withNamespace(namespace)
            .withLabels(template.getMetadata().getLabels())
            .endMetadata()
            .withSpec(template.getSpec())
            .build();
    client.persistentVolumeClaims().inNamespace(namespace).resource(claim).create();
  }

  private void createPod(StatefulSet sts, String pod) {
    var template = sts.getSpec().getTemplate();
    var created =
        new PodBuilder()
            .withNewMetadata()
            .withName(pod)
            .withNamespace(namespace)
            .withLabels(template.getMetadata().getLabels())
            .withAnnotations(template.getMetadata().getAnnotations())
            .withOwnerReferences(
                new OwnerReferenceBuilder()
                    .withApiVersion("apps/v1")
                    .withKind("StatefulSet")
                    .withName(sts.getMetadata().getName())
                    .withUid(sts.getMetadata().getUid())
                    .withController(true)
                    .build())
            .endMetadata()
            .withSpec(template.getSpec())
            .withNewStatus()
            .withPhase("Running")
            .withPodIP("127.0.0.1")
            .withConditions(new PodConditionBuilder().withType("Ready").withStatus("False").build())
            .endStatus()
            .build();
    client.pods().inNamespace(namespace).resource(created).create();
  }

  private void startNode(StatefulSet sts, String pod) {
    var claim =
        client.persistentVolumeClaims().inNamespace(namespace).withName("data-" + pod).get();
    if (claim == null) {
      return; // the kubelet cannot mount a claim that is gone: the pod stays Pending
    }
    var volumes =
        new PodVolumes(client, namespace, sts, root.resolve("mounts").resolve(pod), volume(claim));
    if (!volumes.project()) {
      return; // the kubelet waits for every volume that is not optional
    }
    var launch = PodLaunch.of(sts, pod, namespace, "127.0.0.1", volumes::relocate);
    int[] p = ports(pod);
    var overrides = new java.util.LinkedHashMap<String, String>();
    overrides.put("--bind", "127.0.0.1");
    overrides.put("--grpc-port", String.valueOf(p[0]));
    overrides.put("--http-port", String.valueOf(p[2]));
    overrides.put("--internode-port", String.valueOf(p[1]));
    overrides.put("--published-address", "127.0.0.1:" + p[1]);
    overrides.put("--seeds", String.join(",", seeds(sts, pod)));
    overrides.put("--embedding-provider", "none");
    overrides.put("--hint-replay-interval", "500ms");
    var args = new ArrayList<String>();
    for (var arg : launch.args().subList(1, launch.args().size())) {
      var flag = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
      if (!overrides.containsKey(flag)) {
        args.add(arg);
      }
    }
    overrides.forEach((k, v) -> args.add(k + "=" + v));
    System.out.println(
        "[sim] starting " + pod + " on gRPC " + p[0] + ", internode " + p[1] + ", HTTP " + p[2]);
    mounted.put(pod, volumes);
    nodes.put(pod, starts.submit(() -> InJvmNode.start(pod, args, launch.env(), nodeClock)));
  }

  /** The internode addresses of the first three pods of the first rack, as the seed DNS would. */
  private List<String> seeds(StatefulSet sts, String pod) {
    var first =
        client.apps().statefulSets().inNamespace(namespace).list().getItems().stream()
            .map(s -> s.getMetadata().getName())
            .sorted()
            .findFirst()
            .orElse(sts.getMetadata().getName());
    var out = new ArrayList<String>();
    for (int i = 0; i < 3; i++) {
      var seed = first + "-" + i;
      if (!seed.equals(pod)) {
        out.add("127.0.0.1:" + ports(seed)[1]);
      }
    }
    return out;
  }

  private Path volume(PersistentVolumeClaim claim) {
    var dir =
        root.resolve("volumes")
            .resolve(claim.getMetadata().getName() + "-" + claim.getMetadata().getUid());
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A deleted claim's volume is deleted (reclaim policy Delete), once no node uses it. */
  private void removeVolumesOfDeletedClaims() {
    var volumes = root.resolve("volumes");
    if (!Files.isDirectory(volumes)) {
      return;
    }
    Set<String> live = new HashSet<>();
    for (var c : client.persistentVolumeClaims().inNamespace(namespace).list().getItems()) {
      live.add(c.getMetadata().getName() + "-" + c.getMetadata().getUid());
    }
    try (Stream<Path> dirs = Files.list(volumes)) {
      for (var dir : dirs.toList()) {
        var name = dir.getFileName().toString();
        var pod = name.substring("data-".length(), name.length() - 37);
        if (!live.contains(name) && !nodes.containsKey(pod)) {
          System.out.println("[sim] claim of " + pod + " deleted: removing its volume");
          deleteTree(dir);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void updateReadiness(Pod pod) {
    boolean ready = probeReady(pod);
    boolean marked =
        pod.getStatus() != null
            && pod.getStatus().getConditions() != null
            && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    if (ready != marked) {
      if (pod.getStatus() == null) {
        pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatus());
      }
      pod.getStatus().setPhase("Running");
      pod.getStatus().setPodIP("127.0.0.1");
      pod.getStatus()
          .setConditions(
              List.of(
                  new PodConditionBuilder()
                      .withType("Ready")
                      .withStatus(ready ? "True" : "False")
                      .build()));
      client.pods().inNamespace(namespace).resource(pod).updateStatus();
    }
  }

  /**
   * The kubelet's readiness: no container running, not Ready; no readiness probe, Ready once
   * running; else the probe's result. The container's ports map to the pod's loopback ports. The
   * probe runs once the node has started (its start returns when the node serves), so Ready always
   * implies {@link #node} is there for tests; a node still starting answers {@code /readyz} with
   * 503 anyway.
   */
  private boolean probeReady(Pod pod) {
    var name = pod.getMetadata().getName();
    if (node(name) == null) {
      return false;
    }
    var container = pod.getSpec().getContainers().get(0);
    var probe = container.getReadinessProbe();
    if (probe == null) {
      return true;
    }
    int[] p = ports(name);
    return KubeletProbe.succeeds(
        probe,
        container,
        port ->
            switch (port) {
              case Ports.GRPC -> p[0];
              case Ports.INTERNODE -> p[1];
              case Ports.HTTP -> p[2];
              default -> -1;
            });
  }

  private void stopNode(String pod) {
    startedFor.remove(pod);
    var f = nodes.remove(pod);
    mounted.remove(pod);
    if (f == null) {
      return;
    }
    System.out.println("[sim] stopping " + pod);
    try {
      f.get(60, TimeUnit.SECONDS).close();
    } catch (Exception e) {
      f.cancel(true);
      System.out.println("[sim] " + pod + " had not started: " + e);
    }
  }

  /** Stops every node; volumes stay (a test may look at them). */
  @Override
  public void close() {
    loop.shutdownNow();
    try {
      loop.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    var all = new HashMap<>(nodes);
    all.keySet().stream().sorted(Comparator.reverseOrder()).forEach(this::stopNode);
    starts.shutdownNow();
  }

  /**
   * Three distinct free ports (gRPC, internode, HTTP): the sockets are held open together, else the
   * system may hand out the same port twice (seen: a node started with one port for gRPC and
   * internode never served).
   */
  private static int[] freePorts() {
    try (var grpc = new ServerSocket(0);
        var internode = new ServerSocket(0);
        var http = new ServerSocket(0)) {
      return new int[] {grpc.getLocalPort(), internode.getLocalPort(), http.getLocalPort()};
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      for (var p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
