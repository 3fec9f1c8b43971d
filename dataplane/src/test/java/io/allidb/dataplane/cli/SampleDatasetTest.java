package io.allidb.dataplane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.api.proto.Entity;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/** The bundled sample is valid strict proto JSON and its graph has no dangling edges. */
class SampleDatasetTest {
  private static List<Entity> load() throws Exception {
    var out = new ArrayList<Entity>();
    try (var in =
        new BufferedReader(
            new InputStreamReader(
                Objects.requireNonNull(
                    SampleDatasetTest.class.getResourceAsStream(DemoCommand.SAMPLE)),
                StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        out.add(Json.parse(line, Entity.newBuilder()).build());
      }
    }
    return out;
  }

  @Test
  void everyLineIsAnEntityWithTextAndNoEmbedding() throws Exception {
    List<Entity> entities = load();
    assertThat(entities).hasSizeBetween(150, 300);
    assertThat(entities)
        .allSatisfy(
            e -> {
              assertThat(e.getEntityType()).isNotEmpty();
              assertThat(e.getChunksCount()).isPositive();
              assertThat(e.getChunks(0).getText()).hasSizeGreaterThan(40);
              assertThat(e.getEmbeddingsCount()).isZero();
            });
  }

  @Test
  void idsAreUniqueAndEveryEdgeConnectsTwoSampleEntities() throws Exception {
    List<Entity> entities = load();
    var ids = new HashSet<String>();
    entities.forEach(e -> assertThat(ids.add(e.getEntityId())).as(e.getEntityId()).isTrue());
    assertThat(entities)
        .flatMap(Entity::getOutgoingEdgesList)
        .allSatisfy(
            edge -> {
              assertThat(ids).contains(edge.getFromEntity(), edge.getToEntity());
              assertThat(edge.getWeight()).isBetween(0.0, 1.0);
            });
  }

  @Test
  void theDemoQuestionsSeedLeadsToSystemsAndTheirDesignersWithinTwoHops() throws Exception {
    var byId = new java.util.HashMap<String, Entity>();
    load().forEach(e -> byId.put(e.getEntityId(), e));
    var designers = new HashSet<String>();
    for (var influenced : byId.get("paper-dynamo-2007").getOutgoingEdgesList()) {
      if (influenced.getRelation().equals("influenced")) {
        for (var d : byId.get(influenced.getToEntity()).getOutgoingEdgesList()) {
          if (d.getRelation().equals("designed_by")) {
            designers.add(d.getToEntity());
          }
        }
      }
    }
    assertThat(designers).contains("avinash-lakshman", "prashant-malik", "jay-kreps");
  }
}
