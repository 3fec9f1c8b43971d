package io.allidb.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checked-in CRD ({@code crds/alliclusters.allidb.io-v1.yml}) is what the Java types generate.
 *
 * <p>To regenerate after changing a type in {@code io.allidb.operator.api}: {@code ./mvnw -o -q -pl
 * operator -am test -Dtest=CustomResourceDefinitionTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dallidb.regenerate=true} and commit the result.
 */
class CustomResourceDefinitionTest {

  static final Path CHECKED_IN = Path.of("..", "crds", "alliclusters.allidb.io-v1.yml");

  @Test
  void checkedInCrdMatchesTheJavaTypes(@TempDir Path dir) throws IOException {
    var generated = generate(dir);
    if (Boolean.getBoolean("allidb.regenerate")) {
      Files.createDirectories(CHECKED_IN.getParent());
      Files.writeString(CHECKED_IN, generated, StandardCharsets.UTF_8);
    }
    assertThat(CHECKED_IN)
        .as(
            "crds/ is stale: regenerate with ./mvnw -o -q -pl operator -am test"
                + " -Dtest=CustomResourceDefinitionTest -Dsurefire.failIfNoSpecifiedTests=false"
                + " -Dallidb.regenerate=true")
        .exists();
    assertThat(Files.readString(CHECKED_IN, StandardCharsets.UTF_8))
        .as(
            "crds/ is stale: regenerate with ./mvnw -o -q -pl operator -am test"
                + " -Dtest=CustomResourceDefinitionTest -Dsurefire.failIfNoSpecifiedTests=false"
                + " -Dallidb.regenerate=true")
        .isEqualTo(generated);
  }

  @Test
  void crdHasStatusSubresourcePrinterColumnsAndValidationRules() throws IOException {
    var crd = Serialization.unmarshal(Files.readString(CHECKED_IN), CustomResourceDefinition.class);
    var version = crd.getSpec().getVersions().get(0);

    assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
    assertThat(version.getName()).isEqualTo("v1alpha1");
    assertThat(version.getSubresources().getStatus()).isNotNull();
    assertThat(version.getAdditionalPrinterColumns())
        .extracting(c -> c.getName())
        // the generator orders columns by JSON path; kubectl shows them in that order
        .containsExactlyInAnyOrder("Ready", "Replicas", "RF", "Ring", "Age");

    var spec = version.getSchema().getOpenAPIV3Schema().getProperties().get("spec");
    assertThat(spec.getXKubernetesValidations())
        .extracting(r -> r.getRule())
        .anySatisfy(rule -> assertThat(rule).contains("replicationFactor"));
    var rf = spec.getProperties().get("replicationFactor");
    assertThat(rf.getMinimum()).isEqualTo(1.0);
    assertThat(rf.getDefault().asInt()).isEqualTo(3);
    assertThat(spec.getProperties().get("replicas").getMinimum()).isEqualTo(0.0);
    assertThat(spec.getProperties().get("racks").getXKubernetesValidations()).isNotEmpty();
    assertThat(
            spec.getProperties()
                .get("pvcRetentionPolicy")
                .getProperties()
                .get("onDelete")
                .getEnum())
        .extracting(n -> n.asText())
        .containsExactlyInAnyOrder("Retain", "Delete");
    assertThat(spec.getProperties().get("tls").getProperties().get("issuer").getEnum())
        .extracting(n -> n.asText())
        .containsExactlyInAnyOrder("operator", "user-provided");
    assertThat(spec.getProperties().get("image").getDescription()).isNotBlank();
  }

  static String generate(Path dir) throws IOException {
    new CRDGenerator()
        .inOutputDir(dir.toFile())
        .forCRDVersions("v1")
        .customResourceClasses(AlliCluster.class)
        .detailedGenerate();
    return Files.readString(dir.resolve("alliclusters.allidb.io-v1.yml"), StandardCharsets.UTF_8);
  }
}
