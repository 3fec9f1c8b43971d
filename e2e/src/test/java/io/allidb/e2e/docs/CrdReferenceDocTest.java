package io.allidb.e2e.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.e2e.chart.HelmChart;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/crd-reference.md is what {@link CrdReference} renders from the checked-in CRD; regenerate
 * with {@code -Dallidb.regenerate=true} (command in the file's header).
 */
class CrdReferenceDocTest {
  static final Path CRD = HelmChart.ROOT.resolve("crds/alliclusters.allidb.io-v1.yml");
  static final Path DOC = HelmChart.ROOT.resolve("docs/crd-reference.md");

  @Test
  void referenceIsUpToDate() throws IOException {
    var crd = Serialization.unmarshal(Files.readString(CRD), CustomResourceDefinition.class);
    var rendered = CrdReference.render(crd);
    if (Boolean.getBoolean("allidb.regenerate")) {
      Files.writeString(DOC, rendered);
    }
    assertThat(rendered)
        .contains(
            "`spec.replicationFactor`",
            "`spec.racks[].name` (required)",
            "replicationFactor cannot exceed the total number of nodes");
    assertThat(Files.readString(DOC))
        .as("docs/crd-reference.md is stale: regenerate (command in its header)")
        .isEqualTo(rendered);
  }

  /**
   * API servers estimate the cost of every CEL rule from the schema and refuse a CRD whose estimate
   * is unbounded; a list that a rule iterates needs maxItems (strings compared in it, maxLength).
   */
  @Test
  void everyListThatARuleIteratesIsBounded() throws IOException {
    var crd = Serialization.unmarshal(Files.readString(CRD), CustomResourceDefinition.class);
    checkBounded(
        "spec",
        crd.getSpec()
            .getVersions()
            .get(0)
            .getSchema()
            .getOpenAPIV3Schema()
            .getProperties()
            .get("spec"));
  }

  private static void checkBounded(String path, JSONSchemaProps node) {
    if ("array".equals(node.getType())
        && node.getXKubernetesValidations() != null
        && !node.getXKubernetesValidations().isEmpty()) {
      assertThat(node.getMaxItems()).as("%s: maxItems", path).isNotNull();
    }
    if (node.getProperties() != null) {
      node.getProperties().forEach((k, v) -> checkBounded(path + "." + k, v));
    }
    if (node.getItems() != null && node.getItems().getSchema() != null) {
      checkBounded(path + "[]", node.getItems().getSchema());
    }
  }
}
