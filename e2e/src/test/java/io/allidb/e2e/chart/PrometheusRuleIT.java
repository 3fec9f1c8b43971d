package io.allidb.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The alerts and the dashboard use the metric names the code exports: a renamed metric fails here
 * instead of silently never firing. Names are read from the sources ({@code .name("allidb_...")} in
 * the data plane and the operator).
 */
class PrometheusRuleIT {
  static final Pattern METRIC = Pattern.compile("allidb_[a-z0-9_]+");
  static final Pattern REGISTERED = Pattern.compile("\"(allidb_[a-z0-9_]+)\"");

  @Test
  void defaultAlertsAndTheDashboardUseOnlyExportedMetrics() throws IOException {
    var objects = HelmChart.render(ChartRenderIT.values("monitoring"));
    var exported = exportedMetrics();

    var rule =
        HelmChart.all(objects, GenericKubernetesResource.class).stream()
            .filter(o -> o.getKind().equals("PrometheusRule"))
            .findFirst()
            .orElseThrow();
    var used = metricsIn(Serialization.asYaml(rule.getAdditionalProperties().get("spec")));
    assertThat(used)
        .contains(
            "allidb_hints_pending",
            "allidb_internode_circuit_open",
            "allidb_operator_reconcile_errors_total",
            // exported by the operator's day-2 steps (issue 8)
            "allidb_certificate_expiry_seconds",
            "allidb_repair_last_success_timestamp_seconds");
    assertThat(exported).containsAll(used);

    var dashboard = HelmChart.one(objects, ConfigMap.class).getData().get("allidb.json");
    assertThat(exported).containsAll(metricsIn(dashboard));
  }

  /** Every exposed series name: histograms add _bucket, _count and _sum. */
  static Set<String> exportedMetrics() throws IOException {
    var names = new TreeSet<String>();
    for (var module : List.of("dataplane", "operator")) {
      try (Stream<Path> files = Files.walk(HelmChart.ROOT.resolve(module).resolve("src/main"))) {
        for (var file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
          var m = REGISTERED.matcher(Files.readString(file));
          while (m.find()) {
            names.add(m.group(1));
          }
        }
      }
    }
    var series = new TreeSet<>(names);
    names.forEach(n -> series.addAll(List.of(n + "_bucket", n + "_count", n + "_sum")));
    return series;
  }

  static Set<String> metricsIn(String text) {
    return METRIC.matcher(text).results().map(r -> r.group()).collect(Collectors.toSet());
  }
}
