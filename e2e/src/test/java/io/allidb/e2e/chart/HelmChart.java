package io.allidb.e2e.chart;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The operator chart, driven through real helm (helm-java embeds helm's Go library over JNI): lint
 * and template, with rendered manifests parsed into fabric8 objects. Paths are relative to the
 * {@code e2e} module (surefire and failsafe run there).
 */
public final class HelmChart {
  public static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  public static final Path CHART = ROOT.resolve("charts/allidb-operator");
  public static final String RELEASE = "allidb";
  public static final String NAMESPACE = "allidb-system";

  private HelmChart() {}

  /** The values files under {@code ci/} (helm chart-testing's convention), by file name. */
  public static List<Path> ciValues() throws Exception {
    try (Stream<Path> files = Files.list(CHART.resolve("ci"))) {
      return files.filter(p -> p.toString().endsWith("-values.yaml")).sorted().toList();
    }
  }

  public static LintResult lint() {
    return new Helm(CHART).lint().strict().call();
  }

  /** {@code helm template allidb charts/allidb-operator -n allidb-system -f <values> --set ...}. */
  public static String template(List<Path> valuesFiles, Map<String, Object> sets) {
    var template = new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE);
    valuesFiles.forEach(template::withValuesFile);
    sets.forEach(template::set);
    return template.call();
  }

  public static List<HasMetadata> render(List<Path> valuesFiles, Map<String, Object> sets) {
    return parse(template(valuesFiles, sets));
  }

  public static List<HasMetadata> render(Path valuesFile) {
    return render(List.of(valuesFile), Map.of());
  }

  /** Multi-document YAML to objects; kinds fabric8 has no class for become generic resources. */
  public static List<HasMetadata> parse(String manifests) {
    var objects = new ArrayList<HasMetadata>();
    for (var doc : manifests.split("(?m)^---\\s*$")) {
      if (doc.lines().allMatch(l -> l.isBlank() || l.trim().startsWith("#"))) {
        continue;
      }
      KubernetesResource parsed = Serialization.unmarshal(doc);
      objects.add((HasMetadata) parsed);
    }
    return objects;
  }

  /** The only object of a kind (and optional name suffix), or an assertion-friendly error. */
  public static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type) {
    var found = all(objects, type);
    if (found.size() != 1) {
      throw new AssertionError("expected one " + type.getSimpleName() + ", got " + found.size());
    }
    return found.get(0);
  }

  public static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }
}
