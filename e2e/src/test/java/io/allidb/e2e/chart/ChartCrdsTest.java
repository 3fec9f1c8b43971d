package io.allidb.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The chart ships the CRDs of {@code crds/} (generated from the operator's types and checked by
 * CustomResourceDefinitionTest) unchanged. Helm installs {@code charts/allidb-operator/crds/} on
 * first install only; upgrades apply them with kubectl (docs/install.md).
 *
 * <p>To sync after regenerating: {@code ./mvnw -o -q -pl api,operator,e2e -am test
 * -Dtest=ChartCrdsTest -Dsurefire.failIfNoSpecifiedTests=false -Dallidb.regenerate=true}.
 */
class ChartCrdsTest {
  static final Path SOURCE = HelmChart.ROOT.resolve("crds");
  static final Path CHART_CRDS = HelmChart.CHART.resolve("crds");

  @Test
  void chartCrdsEqualTheGeneratedCrds() throws IOException {
    if (Boolean.getBoolean("allidb.regenerate")) {
      try (Stream<Path> old = Files.list(CHART_CRDS)) {
        for (var f : old.toList()) {
          Files.delete(f);
        }
      }
      try (Stream<Path> crds = Files.list(SOURCE)) {
        for (var f : crds.toList()) {
          Files.copy(f, CHART_CRDS.resolve(f.getFileName()));
        }
      }
    }
    try (Stream<Path> source = Files.list(SOURCE);
        Stream<Path> chart = Files.list(CHART_CRDS)) {
      var expected = source.map(p -> p.getFileName().toString()).sorted().toList();
      assertThat(chart.map(p -> p.getFileName().toString()).sorted().toList())
          .as("charts/allidb-operator/crds/ is stale: see ChartCrdsTest's Javadoc")
          .isEqualTo(expected);
      for (var name : expected) {
        assertThat(Files.readString(CHART_CRDS.resolve(name)))
            .as("charts/allidb-operator/crds/%s is stale: see ChartCrdsTest's Javadoc", name)
            .isEqualTo(Files.readString(SOURCE.resolve(name)));
      }
    }
  }
}
