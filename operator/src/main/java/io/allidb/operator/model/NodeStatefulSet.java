package io.allidb.operator.model;

import io.allidb.operator.api.AlliCluster;
import io.allidb.operator.api.RackSpec;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The StatefulSet of one rack. Pods are rolled by the operator, not by the StatefulSet controller
 * ({@code OnDelete}), because only the operator can check that a restart keeps a write quorum;
 * {@code Parallel} pod management so a stuck low ordinal does not block recreating a high one (the
 * operator sequences joins itself). Claims are always retained by Kubernetes: the operator deletes
 * them per {@code pvcRetentionPolicy}, and only after the node has LEFT the ring.
 */
public final class NodeStatefulSet {
  public static final String CONTAINER = "allidb";
  public static final String DATA_VOLUME = "data";
  public static final String DATA_PATH = "/var/lib/allidb";
  public static final String CONFIG_PATH = "/etc/allidb/config";
  public static final String INTERNODE_TLS_PATH = "/etc/allidb/tls/internode";
  public static final String CLIENT_TLS_PATH = "/etc/allidb/tls/client";
  public static final String KEY_SET_PATH = "/etc/allidb/auth";
  public static final long RUN_AS = 10001L;
  public static final String ZONE_LABEL = "topology.kubernetes.io/zone";
  public static final String HOSTNAME_LABEL = "kubernetes.io/hostname";

  /**
   * Startup may rebuild vector indexes from SSTables: allow an hour (360 x 10 s) before liveness
   * takes over, so a large node is not killed in the middle of its own recovery.
   */
  static final int STARTUP_FAILURE_THRESHOLD = 360;

  /**
   * 200 once storage is open and the node serves (what the gRPC health check's SERVING meant):
   * startup and readiness.
   */
  static final String READY_PATH = "/readyz";

  /** 200 whenever the process answers HTTP, WAL replay included: liveness. */
  static final String LIVE_PATH = "/livez";

  private NodeStatefulSet() {}

  /** The desired StatefulSet of {@code rack} with its spec replica count. */
  public static StatefulSet of(AlliCluster cluster, RackSpec rack, String configHash) {
    var template = podTemplate(cluster, rack, configHash);
    var hash = TemplateHash.of(template);
    template.getMetadata().getAnnotations().put(TemplateHash.ANNOTATION, hash);
    return new StatefulSetBuilder()
        .withMetadata(
            AlliClusterModel.metadata(cluster, Names.statefulSet(cluster, rack.getName())))
        .editMetadata()
        .withLabels(Labels.rackNode(cluster, rack.getName()))
        .endMetadata()
        .withNewSpec()
        .withServiceName(Names.headlessService(cluster))
        .withReplicas(rack.getReplicas())
        .withPodManagementPolicy("Parallel")
        .withNewUpdateStrategy()
        .withType("OnDelete")
        .endUpdateStrategy()
        .withNewPersistentVolumeClaimRetentionPolicy()
        .withWhenDeleted("Retain")
        .withWhenScaled("Retain")
        .endPersistentVolumeClaimRetentionPolicy()
        .withNewSelector()
        .withMatchLabels(Labels.rackSelector(cluster, rack.getName()))
        .endSelector()
        .withTemplate(template)
        .withVolumeClaimTemplates(dataClaim(cluster, rack))
        .endSpec()
        .build();
  }

  static PodTemplateSpec podTemplate(AlliCluster cluster, RackSpec rack, String configHash) {
    var annotations = new TreeMap<String, String>();
    annotations.put(TemplateHash.CONFIG_ANNOTATION, configHash);
    return new PodTemplateSpecBuilder()
        .withNewMetadata()
        .withLabels(Labels.rackNode(cluster, rack.getName()))
        .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .withServiceAccountName(Names.serviceAccount(cluster))
        // nodes never call the Kubernetes API
        .withAutomountServiceAccountToken(false)
        // long enough for drain: flush memtables, hand off hints
        .withTerminationGracePeriodSeconds(120L)
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withRunAsUser(RUN_AS)
        .withRunAsGroup(RUN_AS)
        .withFsGroup(RUN_AS)
        .withFsGroupChangePolicy("OnRootMismatch")
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .endSecurityContext()
        .withAffinity(affinity(cluster, rack))
        .withTolerations(rack.getTolerations())
        .withContainers(container(cluster, rack))
        .withVolumes(volumes(cluster))
        .endSpec()
        .build();
  }

  static Container container(AlliCluster cluster, RackSpec rack) {
    var spec = cluster.getSpec();
    return new ContainerBuilder()
        .withName(CONTAINER)
        .withImage(spec.getImage())
        .withImagePullPolicy("IfNotPresent")
        // flags the node CLI has today; cluster settings arrive as env and the config file
        .withArgs(
            "server",
            "--data-dir=" + DATA_PATH,
            "--node-id=$(POD_NAME)",
            "--bind=0.0.0.0",
            "--grpc-port=" + Ports.GRPC,
            "--http-port=" + Ports.HTTP)
        .withEnv(env(cluster, rack))
        .addNewPort()
        .withName("grpc")
        .withContainerPort(Ports.GRPC)
        .endPort()
        .addNewPort()
        .withName("internode")
        .withContainerPort(Ports.INTERNODE)
        .endPort()
        .addNewPort()
        .withName("http")
        .withContainerPort(Ports.HTTP)
        .endPort()
        .withStartupProbe(httpProbe(cluster, READY_PATH, 10, STARTUP_FAILURE_THRESHOLD))
        .withReadinessProbe(httpProbe(cluster, READY_PATH, 5, 3))
        .withLivenessProbe(httpProbe(cluster, LIVE_PATH, 10, 6))
        .withResources(spec.getResources())
        .withNewSecurityContext()
        .withReadOnlyRootFilesystem(true)
        .withAllowPrivilegeEscalation(false)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .endSecurityContext()
        .withVolumeMounts(mounts(cluster))
        .build();
  }

  static List<EnvVar> env(AlliCluster cluster, RackSpec rack) {
    var spec = cluster.getSpec();
    var env = new ArrayList<EnvVar>();
    env.add(fieldRef("POD_NAME", "metadata.name"));
    env.add(fieldRef("POD_NAMESPACE", "metadata.namespace"));
    env.add(fieldRef("POD_IP", "status.podIP"));
    env.add(value("ALLIDB_CLUSTER", cluster.getMetadata().getName()));
    env.add(value("ALLIDB_RACK", rack.getName()));
    // a stable name, not the pod IP: IPs change on restart (cass-operator #261, #744)
    env.add(
        value(
            "ALLIDB_ADVERTISE_ADDRESS",
            "$(POD_NAME)." + Names.headlessService(cluster) + ".$(POD_NAMESPACE).svc"));
    env.add(value("ALLIDB_SEEDS", Names.seeds(cluster)));
    env.add(value("ALLIDB_REPLICATION_FACTOR", String.valueOf(spec.getReplicationFactor())));
    env.add(value("ALLIDB_VNODES", String.valueOf(spec.getVnodes())));
    env.add(value("ALLIDB_INTERNODE_PORT", String.valueOf(Ports.INTERNODE)));
    env.add(value("ALLIDB_CONFIG_FILE", CONFIG_PATH + "/" + NodeConfig.FILE_NAME));
    env.add(value("ALLIDB_DATA_DIR", DATA_PATH));
    // the root filesystem is read-only: the JVM's temp files go to the /tmp emptyDir
    env.add(value("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=75 -Djava.io.tmpdir=/tmp"));
    return env;
  }

  /**
   * A kubelet {@code httpGet} probe of the node's REST port. Not a {@code grpc} probe: the
   * kubelet's gRPC probe speaks plaintext only, so it could never reach a node whose gRPC port
   * serves TLS and such a pod never became Ready (issue 7). The REST port serves HTTPS with the
   * same certificate when TLS is on, and the kubelet's HTTPS probe neither verifies the server nor
   * presents a client certificate: that works because operator-managed nodes never request one (the
   * node config file has no client-auth key and {@code spec.config} cannot add one). {@code /livez}
   * and {@code /readyz} need no API key.
   */
  static Probe httpProbe(
      AlliCluster cluster, String path, int periodSeconds, int failureThreshold) {
    boolean tls = Boolean.TRUE.equals(cluster.getSpec().getTls().getEnabled());
    return new ProbeBuilder()
        .withNewHttpGet()
        .withScheme(tls ? "HTTPS" : "HTTP")
        .withPath(path)
        .withPort(new IntOrString(Ports.HTTP))
        .endHttpGet()
        .withPeriodSeconds(periodSeconds)
        .withTimeoutSeconds(3)
        .withFailureThreshold(failureThreshold)
        .build();
  }

  static List<VolumeMount> mounts(AlliCluster cluster) {
    var mounts = new ArrayList<VolumeMount>();
    mounts.add(mount(DATA_VOLUME, DATA_PATH, false));
    mounts.add(mount("config", CONFIG_PATH, true));
    mounts.add(mount("tmp", "/tmp", false));
    if (Boolean.TRUE.equals(cluster.getSpec().getTls().getEnabled())) {
      mounts.add(mount("internode-tls", INTERNODE_TLS_PATH, true));
      mounts.add(mount("client-tls", CLIENT_TLS_PATH, true));
    }
    if (Boolean.TRUE.equals(cluster.getSpec().getAuth().getEnabled())) {
      mounts.add(mount("key-set", KEY_SET_PATH, true));
    }
    return mounts;
  }

  static List<Volume> volumes(AlliCluster cluster) {
    var volumes = new ArrayList<Volume>();
    volumes.add(
        new VolumeBuilder()
            .withName("config")
            .withNewConfigMap()
            .withName(Names.configMap(cluster))
            .endConfigMap()
            .build());
    volumes.add(new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build());
    if (Boolean.TRUE.equals(cluster.getSpec().getTls().getEnabled())) {
      volumes.add(secretVolume("internode-tls", Names.internodeTlsSecret(cluster), false));
      volumes.add(secretVolume("client-tls", Names.clientTlsSecret(cluster), false));
    }
    if (Boolean.TRUE.equals(cluster.getSpec().getAuth().getEnabled())) {
      // optional: the key set is written by the operator after the pods exist (issue 8), and the
      // node hot-reloads it; a missing Secret must not keep the pod from starting
      volumes.add(secretVolume("key-set", Names.nodeKeySetSecret(cluster), true));
    }
    return volumes;
  }

  static PersistentVolumeClaim dataClaim(AlliCluster cluster, RackSpec rack) {
    var storage = cluster.getSpec().getStorage();
    return new PersistentVolumeClaimBuilder()
        .withNewMetadata()
        .withName(DATA_VOLUME)
        .withLabels(Labels.rackNode(cluster, rack.getName()))
        .endMetadata()
        .withNewSpec()
        .withAccessModes("ReadWriteOnce")
        .withStorageClassName(storage.getStorageClassName())
        .withNewResources()
        .withRequests(Map.of("storage", new Quantity(storage.getSize())))
        .endResources()
        .endSpec()
        .build();
  }

  /**
   * Hostname anti-affinity across the whole cluster (preferred, so small test clusters still
   * schedule), the rack's zone as a hard requirement, and the user's own rules merged in: node
   * selector terms are ORed, so the zone is added to each of the user's terms.
   */
  static Affinity affinity(AlliCluster cluster, RackSpec rack) {
    var user = rack.getAffinity();
    var builder = user == null ? new AffinityBuilder() : new AffinityBuilder(user);
    var zone = rack.getZone();
    if (zone != null && !zone.isBlank()) {
      var zoneRequirement = new NodeSelectorRequirement(ZONE_LABEL, "In", List.of(zone));
      var terms = new ArrayList<NodeSelectorTerm>();
      var required =
          user == null || user.getNodeAffinity() == null
              ? null
              : user.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
      if (required == null || required.getNodeSelectorTerms().isEmpty()) {
        terms.add(new NodeSelectorTermBuilder().withMatchExpressions(zoneRequirement).build());
      } else {
        for (var term : required.getNodeSelectorTerms()) {
          terms.add(
              new NodeSelectorTermBuilder(term).addToMatchExpressions(zoneRequirement).build());
        }
      }
      builder
          .editOrNewNodeAffinity()
          .withNewRequiredDuringSchedulingIgnoredDuringExecution()
          .withNodeSelectorTerms(terms)
          .endRequiredDuringSchedulingIgnoredDuringExecution()
          .endNodeAffinity();
    }
    return builder
        .editOrNewPodAntiAffinity()
        .addNewPreferredDuringSchedulingIgnoredDuringExecution()
        .withWeight(100)
        .withNewPodAffinityTerm()
        .withTopologyKey(HOSTNAME_LABEL)
        .withNewLabelSelector()
        .withMatchLabels(Labels.nodeSelector(cluster))
        .endLabelSelector()
        .endPodAffinityTerm()
        .endPreferredDuringSchedulingIgnoredDuringExecution()
        .endPodAntiAffinity()
        .build();
  }

  private static EnvVar fieldRef(String name, String path) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withNewFieldRef()
        .withFieldPath(path)
        .endFieldRef()
        .endValueFrom()
        .build();
  }

  private static EnvVar value(String name, String value) {
    return new EnvVarBuilder().withName(name).withValue(value).build();
  }

  private static VolumeMount mount(String name, String path, boolean readOnly) {
    return new VolumeMountBuilder()
        .withName(name)
        .withMountPath(path)
        .withReadOnly(readOnly)
        .build();
  }

  private static Volume secretVolume(String name, String secret, boolean optional) {
    return new VolumeBuilder()
        .withName(name)
        .withNewSecret()
        .withSecretName(secret)
        .withOptional(optional)
        .withDefaultMode(0440)
        .endSecret()
        .build();
  }
}
