package io.allidb.operator.sim;

import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The kubelet's part for one pod's volumes: every volume mount of the node container becomes a
 * directory under {@code <root>/mounts/<pod>/<volume>} (the data volume: the claim's directory),
 * and ConfigMap and Secret volumes are projected there and re-projected when their source changes,
 * as the kubelet's periodic sync does. Projection follows the kubelet's atomic writer: the files
 * live in a timestamped directory, {@code ..data} is a symlink to it swapped by one rename, and
 * each key is a symlink through {@code ..data}, so a reader never sees half of an update (a
 * certificate with the previous key).
 *
 * <p>One host has no mount namespaces, so paths under a mount point are rewritten to where the
 * simulation mounted it ({@link #relocate}): in the container's args and env and in projected
 * ConfigMap files (the node config names its TLS and key-set directories).
 */
final class PodVolumes {
  private static final String DATA_LINK = "..data";

  private final KubernetesClient client;
  private final String namespace;
  private final Map<String, Path> byMountPath;
  private final Map<String, Volume> byMountPathVolume;
  private final Pattern mountPaths;

  /**
   * @param dataDir where the data claim's volume lives
   */
  PodVolumes(
      KubernetesClient client, String namespace, StatefulSet sts, Path podRoot, Path dataDir) {
    this.client = client;
    this.namespace = namespace;
    var podSpec = sts.getSpec().getTemplate().getSpec();
    var volumes = podSpec.getVolumes().stream().collect(Collectors.toMap(Volume::getName, v -> v));
    var claims =
        sts.getSpec().getVolumeClaimTemplates().stream()
            .map(c -> c.getMetadata().getName())
            .toList();
    this.byMountPath = new LinkedHashMap<>();
    this.byMountPathVolume = new LinkedHashMap<>();
    for (var mount : podSpec.getContainers().get(0).getVolumeMounts()) {
      var dir = claims.contains(mount.getName()) ? dataDir : podRoot.resolve(mount.getName());
      byMountPath.put(mount.getMountPath(), dir);
      if (volumes.containsKey(mount.getName())) {
        byMountPathVolume.put(mount.getMountPath(), volumes.get(mount.getName()));
      }
    }
    // longest first, whole path segments only, one pass: a relocated path is never rewritten again
    this.mountPaths =
        Pattern.compile(
            "(?<![\\w./-])("
                + byMountPath.keySet().stream()
                    .sorted(Comparator.comparingInt(String::length).reversed())
                    .map(Pattern::quote)
                    .collect(Collectors.joining("|"))
                + ")(?=/|$|[^\\w.-])");
  }

  /** {@code value} with every mount path in it replaced by the simulated mount's directory. */
  String relocate(String value) {
    Matcher m = mountPaths.matcher(value);
    var out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(byMountPath.get(m.group(1)).toString()));
    }
    m.appendTail(out);
    return out.toString();
  }

  /**
   * Creates the mount directories and projects every ConfigMap and Secret volume whose source
   * changed. Returns false while a source that is not optional is missing: the kubelet does not
   * start a container whose volumes cannot be mounted.
   */
  boolean project() {
    boolean complete = true;
    for (var e : byMountPath.entrySet()) {
      var dir = e.getValue();
      var volume = byMountPathVolume.get(e.getKey());
      try {
        Files.createDirectories(dir);
        if (volume == null) {
          continue;
        }
        Map<String, byte[]> payload = payload(volume);
        if (payload == null) {
          complete &= isOptional(volume);
          payload = Map.of();
        }
        writeAtomically(dir, payload);
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
    }
    return complete;
  }

  /** The files of a ConfigMap or Secret volume, or null when its source does not exist. */
  private Map<String, byte[]> payload(Volume volume) {
    var out = new TreeMap<String, byte[]>();
    if (volume.getConfigMap() != null) {
      var cm =
          client
              .configMaps()
              .inNamespace(namespace)
              .withName(volume.getConfigMap().getName())
              .get();
      if (cm == null) {
        return null;
      }
      if (cm.getData() != null) {
        cm.getData().forEach((k, v) -> out.put(k, relocate(v).getBytes(StandardCharsets.UTF_8)));
      }
      return out;
    }
    if (volume.getSecret() != null) {
      var secret =
          client
              .secrets()
              .inNamespace(namespace)
              .withName(volume.getSecret().getSecretName())
              .get();
      if (secret == null) {
        return null;
      }
      if (secret.getData() != null) {
        secret.getData().forEach((k, v) -> out.put(k, Base64.getDecoder().decode(v)));
      }
      if (secret.getStringData() != null) {
        secret.getStringData().forEach((k, v) -> out.put(k, v.getBytes(StandardCharsets.UTF_8)));
      }
      return out;
    }
    return Map.of(); // emptyDir and the like: the directory is the volume
  }

  private static boolean isOptional(Volume volume) {
    if (volume.getSecret() != null) {
      return Boolean.TRUE.equals(volume.getSecret().getOptional());
    }
    return volume.getConfigMap() != null
        && Boolean.TRUE.equals(volume.getConfigMap().getOptional());
  }

  /** The kubelet's atomic writer: new timestamped directory, {@code ..data} swapped by a rename. */
  private static void writeAtomically(Path dir, Map<String, byte[]> payload) throws IOException {
    var data = dir.resolve(DATA_LINK);
    if (Files.exists(data) && sameContent(data, payload)) {
      return;
    }
    var previous = Files.isSymbolicLink(data) ? dir.resolve(Files.readSymbolicLink(data)) : null;
    var version = Files.createTempDirectory(dir, "..version-");
    for (var e : payload.entrySet()) {
      Files.write(version.resolve(e.getKey()), e.getValue());
    }
    var link = dir.resolve("..data_tmp");
    Files.deleteIfExists(link);
    Files.createSymbolicLink(link, version.getFileName());
    Files.move(link, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    for (var key : payload.keySet()) {
      var visible = dir.resolve(key);
      if (!Files.isSymbolicLink(visible)) {
        Files.createSymbolicLink(visible, Path.of(DATA_LINK, key));
      }
    }
    try (Stream<Path> entries = Files.list(dir)) {
      for (var p : entries.toList()) {
        var name = p.getFileName().toString();
        if (!name.startsWith("..") && !payload.containsKey(name) && Files.isSymbolicLink(p)) {
          Files.delete(p); // a key removed from the source
        }
      }
    }
    if (previous != null) {
      try (Stream<Path> old = Files.walk(previous)) {
        for (var p : old.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static boolean sameContent(Path data, Map<String, byte[]> payload) throws IOException {
    try (Stream<Path> files = Files.list(data)) {
      var names = files.map(p -> p.getFileName().toString()).sorted().toList();
      if (!names.equals(payload.keySet().stream().sorted().toList())) {
        return false;
      }
    }
    for (var e : payload.entrySet()) {
      if (!Arrays.equals(Files.readAllBytes(data.resolve(e.getKey())), e.getValue())) {
        return false;
      }
    }
    return true;
  }
}
