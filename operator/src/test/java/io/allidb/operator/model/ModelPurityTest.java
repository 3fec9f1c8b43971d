package io.allidb.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The model layer stays pure: it may import only the JDK, fabric8's model classes, Jackson (for
 * canonical hashing) and our CR types - never the Kubernetes client, JOSDK or the reconciler.
 * Strimzi enforces the same split with checkstyle import-control.
 */
class ModelPurityTest {
  static final Path MODEL = Path.of("src/main/java/io/allidb/operator/model");
  static final List<String> ALLOWED =
      List.of(
          "java.",
          "io.fabric8.kubernetes.api.model.",
          "com.fasterxml.jackson.",
          "io.allidb.operator.api.",
          "io.allidb.operator.model.");
  static final Pattern IMPORT = Pattern.compile("^import (static )?([\\w.]+)", Pattern.MULTILINE);

  @Test
  void modelImportsNothingWithSideEffects() throws IOException {
    try (Stream<Path> files = Files.list(MODEL)) {
      for (var file : files.toList()) {
        var matcher = IMPORT.matcher(Files.readString(file));
        while (matcher.find()) {
          var imported = matcher.group(2);
          assertThat(ALLOWED.stream().anyMatch(imported::startsWith))
              .as("%s imports %s", file.getFileName(), imported)
              .isTrue();
        }
      }
    }
  }
}
