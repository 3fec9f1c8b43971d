package io.allidb.langchain4j;

import dev.langchain4j.store.embedding.filter.Filter;
import dev.langchain4j.store.embedding.filter.comparison.IsEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsIn;
import dev.langchain4j.store.embedding.filter.logical.And;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The part of a LangChain4j filter the node evaluates itself ({@code QueryFilter}): equality on a
 * metadata key (chunk metadata, exact string equality), equality or {@code isIn} on {@link
 * AlliEmbeddingStore#ENTITY_TYPE_KEY} (entity types), and {@code and} of those. Everything else
 * (or, not, not-equal, ranges, contains, isIn on metadata) is the residual, which the store
 * evaluates on the client over an over-fetched result.
 *
 * @param entityTypes types an entity must have one of; null when the filter does not say
 * @param chunkMetadata entries the entity's chunk must have
 * @param exact whether the pushed-down part is the whole filter
 * @param unsatisfiable whether the pushed-down part can match nothing (e.g. one key, two values)
 */
record FilterPushdown(
    Set<String> entityTypes,
    Map<String, String> chunkMetadata,
    boolean exact,
    boolean unsatisfiable) {

  static FilterPushdown of(Filter filter) {
    if (filter == null) {
      return new FilterPushdown(null, Map.of(), true, false);
    }
    var b = new Acc();
    b.visit(filter);
    return new FilterPushdown(b.types, Map.copyOf(b.metadata), b.exact, b.unsatisfiable);
  }

  private static final class Acc {
    Set<String> types;
    final Map<String, String> metadata = new HashMap<>();
    boolean exact = true;
    boolean unsatisfiable;

    void visit(Filter f) {
      if (f instanceof And and) {
        visit(and.left());
        visit(and.right());
      } else if (f instanceof IsEqualTo eq) {
        if (AlliEmbeddingStore.ENTITY_TYPE_KEY.equals(eq.key())) {
          restrictTypes(Set.of(String.valueOf(eq.comparisonValue())));
        } else {
          String value = MetadataCodec.filterValue(eq.comparisonValue());
          String previous = metadata.putIfAbsent(eq.key(), value);
          if (previous != null && !previous.equals(value)) {
            unsatisfiable = true;
          }
        }
      } else if (f instanceof IsIn in && AlliEmbeddingStore.ENTITY_TYPE_KEY.equals(in.key())) {
        var values = new LinkedHashSet<String>();
        in.comparisonValues().forEach(v -> values.add(String.valueOf(v)));
        restrictTypes(values);
      } else {
        exact = false;
      }
    }

    private void restrictTypes(Set<String> allowed) {
      if (types == null) {
        types = new LinkedHashSet<>(allowed);
      } else {
        types.retainAll(allowed);
      }
      if (types.isEmpty()) {
        unsatisfiable = true;
      }
    }
  }
}
