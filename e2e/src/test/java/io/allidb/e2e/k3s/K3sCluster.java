package io.allidb.e2e.k3s;

import static org.awaitility.Awaitility.await;

import com.marcnuri.helm.Helm;
import io.allidb.e2e.chart.HelmChart;
import io.allidb.e2e.scenario.ApiServerCluster;
import io.allidb.operator.api.AlliCluster;
import io.allidb.operator.api.AlliClusterConditions;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.LocalPortForward;
import io.grpc.Channel;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * k3s in a container with the images loaded from the local Docker engine (built by {@code ./mvnw
 * -Pimage ... jib:dockerBuild}) and the operator installed through the real chart (helm-java
 * against the k3s API server). The only place that knows about Testcontainers' k3s module, which
 * its docs call incubating.
 */
public final class K3sCluster extends ApiServerCluster {
  /** Pinned k3s image; override with -Dallidb.e2e.k3s=rancher/k3s:... */
  public static final String K3S_IMAGE =
      System.getProperty("allidb.e2e.k3s", "rancher/k3s:v1.31.4-k3s1");

  private final K3sContainer k3s;
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final Map<String, ManagedChannel> channels = new HashMap<>();

  private K3sCluster(K3sContainer k3s) {
    super(
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(k3s.getKubeConfigYaml()))
            .build());
    this.k3s = k3s;
  }

  /** Starts k3s, loads the images, installs the chart watching {@code namespace}. */
  public static K3sCluster start(String namespace, String operatorImage, String... images)
      throws Exception {
    var k3s = new K3sContainer(DockerImageName.parse(K3S_IMAGE));
    k3s.start();
    var cluster = new K3sCluster(k3s);
    cluster.closeables.add(k3s::stop);
    for (var image : concat(operatorImage, images)) {
      cluster.load(image);
    }
    cluster
        .client
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .serverSideApply();
    var repository = operatorImage.substring(0, operatorImage.lastIndexOf(':'));
    var tag = operatorImage.substring(operatorImage.lastIndexOf(':') + 1);
    new Helm(HelmChart.CHART)
        .install()
        .withName(HelmChart.RELEASE)
        .withNamespace(HelmChart.NAMESPACE)
        .createNamespace()
        .withKubeConfigContents(k3s.getKubeConfigYaml())
        .set("image.repository", repository)
        .set("image.tag", tag)
        .set("image.pullPolicy", "Never")
        .set("watchNamespaces[0]", namespace)
        .waitReady()
        .withTimeout(300)
        .call();
    return cluster;
  }

  private static List<String> concat(String first, String... rest) {
    var all = new ArrayList<String>();
    all.add(first);
    all.addAll(List.of(rest));
    return all;
  }

  /** docker save from the local engine, then ctr import inside k3s (no registry involved). */
  private void load(String image) throws Exception {
    var tar = Files.createTempFile("allidb-image", ".tar");
    try (var in = DockerClientFactory.instance().client().saveImageCmd(image).exec()) {
      Files.copy(in, tar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    k3s.copyFileToContainer(MountableFile.forHostPath(tar), "/tmp/image.tar");
    var result = k3s.execInContainer("ctr", "-n", "k8s.io", "images", "import", "/tmp/image.tar");
    if (result.getExitCode() != 0) {
      throw new IllegalStateException("ctr import " + image + ": " + result.getStderr());
    }
    Files.deleteIfExists(tar);
  }

  @Override
  public Duration waitBound() {
    return Duration.ofMinutes(10);
  }

  @Override
  public void apply(AlliCluster cluster) {
    client.resource(cluster).forceConflicts().serverSideApply();
  }

  @Override
  public void awaitReady(String namespace, String name, int replicas, Duration timeout) {
    await()
        .atMost(timeout)
        .pollInterval(Duration.ofSeconds(2))
        .until(
            () -> {
              var c = get(namespace, name);
              return c != null
                  && c.getStatus() != null
                  && c.getStatus().getReadyReplicas() != null
                  && c.getStatus().getReadyReplicas() == replicas
                  && c.getStatus().getConditions().stream()
                      .anyMatch(
                          k ->
                              AlliClusterConditions.READY.equals(k.getType())
                                  && "True".equals(k.getStatus()));
            });
  }

  @Override
  public List<String> pods(String namespace, String name) {
    return client
        .pods()
        .inNamespace(namespace)
        .withLabels(Map.of("app.kubernetes.io/instance", name, "app.kubernetes.io/name", "allidb"))
        .list()
        .getItems()
        .stream()
        .map(p -> p.getMetadata().getName())
        .sorted()
        .toList();
  }

  @Override
  public void delete(String namespace, String name, Duration timeout) {
    client.resources(AlliCluster.class).inNamespace(namespace).withName(name).delete();
    await()
        .atMost(timeout)
        .until(() -> get(namespace, name) == null && pods(namespace, name).isEmpty());
  }

  /** Through a port-forward to the client Service; one channel per trust bundle. */
  @Override
  public synchronized Channel channel(String namespace, String name, byte[] trustBundle) {
    var key = namespace + "/" + name + "/" + (trustBundle == null ? "" : new String(trustBundle));
    return channels.computeIfAbsent(
        key,
        k -> {
          LocalPortForward forward =
              client.services().inNamespace(namespace).withName(name).portForward(7000);
          closeables.add(forward);
          ManagedChannel channel;
          if (trustBundle == null) {
            channel =
                Grpc.newChannelBuilderForAddress(
                        "127.0.0.1", forward.getLocalPort(), InsecureChannelCredentials.create())
                    .build();
          } else {
            try {
              var credentials =
                  TlsChannelCredentials.newBuilder()
                      .trustManager(new ByteArrayInputStream(trustBundle))
                      .build();
              channel =
                  Grpc.newChannelBuilderForAddress("127.0.0.1", forward.getLocalPort(), credentials)
                      .overrideAuthority(name + "." + namespace + ".svc")
                      .build();
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }
          closeables.add(() -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
          return channel;
        });
  }

  @Override
  public String diagnostics(String namespace) {
    var out = new StringBuilder();
    try {
      client
          .pods()
          .inNamespace(HelmChart.NAMESPACE)
          .list()
          .getItems()
          .forEach(
              p ->
                  out.append("--- operator ")
                      .append(p.getMetadata().getName())
                      .append('\n')
                      .append(
                          client
                              .pods()
                              .inNamespace(HelmChart.NAMESPACE)
                              .withName(p.getMetadata().getName())
                              .tailingLines(200)
                              .getLog()));
      client
          .pods()
          .inNamespace(namespace)
          .list()
          .getItems()
          .forEach(
              p ->
                  out.append("--- node ")
                      .append(p.getMetadata().getName())
                      .append('\n')
                      .append(
                          client
                              .pods()
                              .inNamespace(namespace)
                              .withName(p.getMetadata().getName())
                              .tailingLines(100)
                              .getLog()));
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
    for (int i = closeables.size() - 1; i >= 0; i--) {
      try {
        closeables.get(i).close();
      } catch (Exception e) {
        // best effort: the container goes last and takes everything with it
      }
    }
    client.close();
  }
}
