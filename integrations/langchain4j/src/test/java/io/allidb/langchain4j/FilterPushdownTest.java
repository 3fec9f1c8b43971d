package io.allidb.langchain4j;

import static dev.langchain4j.store.embedding.filter.MetadataFilterBuilder.metadataKey;
import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.store.embedding.filter.Filter;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which parts of a LangChain4j filter go to the node and which stay on the client. */
class FilterPushdownTest {
  private static final String TYPE = AlliEmbeddingStore.ENTITY_TYPE_KEY;

  @Test
  void equalitiesAndTheirConjunctionsArePushedWhole() {
    var p =
        FilterPushdown.of(
            metadataKey("lang").isEqualTo("en").and(metadataKey("year").isEqualTo(2021)));
    assertThat(p.chunkMetadata()).isEqualTo(Map.of("lang", "en", "year", "2021"));
    assertThat(p.entityTypes()).isNull();
    assertThat(p.exact()).isTrue();
    assertThat(p.unsatisfiable()).isFalse();
  }

  @Test
  void entityTypeEqualityAndIsInBecomeTypeFiltersAndIntersect() {
    var p =
        FilterPushdown.of(
            metadataKey(TYPE).isIn("paper", "person").and(metadataKey(TYPE).isEqualTo("person")));
    assertThat(p.entityTypes()).isEqualTo(Set.of("person"));
    assertThat(p.chunkMetadata()).isEmpty();
    assertThat(p.exact()).isTrue();
    assertThat(
            FilterPushdown.of(
                    metadataKey(TYPE).isEqualTo("paper").and(metadataKey(TYPE).isEqualTo("person")))
                .unsatisfiable())
        .isTrue();
  }

  @Test
  void contradictoryEqualitiesMatchNothing() {
    assertThat(
            FilterPushdown.of(
                    metadataKey("lang").isEqualTo("en").and(metadataKey("lang").isEqualTo("fr")))
                .unsatisfiable())
        .isTrue();
  }

  @Test
  void everythingElseIsLeftForTheClientWhileEqualitiesBesideItArePushed() {
    var p =
        FilterPushdown.of(
            metadataKey("lang").isEqualTo("en").and(metadataKey("year").isGreaterThan(2020)));
    assertThat(p.chunkMetadata()).isEqualTo(Map.of("lang", "en"));
    assertThat(p.exact()).isFalse();
    for (Filter f :
        new Filter[] {
          metadataKey("a").isEqualTo("1").or(metadataKey("b").isEqualTo("2")),
          Filter.not(metadataKey("a").isEqualTo("1")),
          metadataKey("a").isNotEqualTo("1"),
          metadataKey("a").isIn("1", "2"),
          metadataKey("a").containsString("x")
        }) {
      var r = FilterPushdown.of(f);
      assertThat(r.exact()).as(f.toString()).isFalse();
      assertThat(r.chunkMetadata()).as(f.toString()).isEmpty();
      assertThat(r.entityTypes()).as(f.toString()).isNull();
    }
  }

  @Test
  void noFilterIsExact() {
    assertThat(FilterPushdown.of(null).exact()).isTrue();
  }
}
