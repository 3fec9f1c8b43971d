package io.allidb.langchain4j;

import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.EmbeddingSearchResult;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.filter.Filter;
import io.allidb.api.proto.Entity;
import io.allidb.api.proto.QueryResult;
import io.allidb.api.proto.TextChunk;
import io.allidb.api.proto.VectorEmbedding;
import io.allidb.client.AlliClient;
import io.allidb.client.BatchResult;
import io.allidb.client.QueryBuilder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A LangChain4j {@link EmbeddingStore} of {@link TextSegment}s in AlliDB, over an {@link
 * AlliClient} (which brings the targets, API key, TLS, consistency, deadline and retries).
 *
 * <p><b>Mapping.</b> Each stored embedding is one AlliDB entity: {@code entity_id} = the
 * LangChain4j id (a random UUID unless the caller gives one; adding an existing id replaces that
 * entity), {@code entity_type} = the store's {@link Builder#entityType entity type} (default
 * {@value #DEFAULT_ENTITY_TYPE}), one embedding, and — when a segment is given — one chunk holding
 * the segment's text and metadata ({@link MetadataCodec}: values as strings plus type hints; keys
 * starting with {@code allidb.} are reserved).
 *
 * <p><b>Tenants.</b> The API key of the client decides the tenant: the store sees and changes only
 * that tenant's entities, and every embedding of a tenant must have the same dimension. Use one API
 * key (tenant) per application or per embedding model; use entity types to keep several stores
 * apart inside one tenant.
 *
 * <p><b>Search</b> asks the node for the nearest entities of the store's entity type by cosine only
 * (score weights vector 1, graph, importance and recency 0), so {@link EmbeddingMatch#score()} is
 * LangChain4j's relevance {@code (cos + 1) / 2}, and {@code minScore} compares against it. Filters:
 *
 * <ul>
 *   <li>pushed to the node: {@code isEqualTo} on a metadata key (exact match of the value's string
 *       form), {@code isEqualTo} / {@code isIn} on {@link #ENTITY_TYPE_KEY} (replaces the store's
 *       own type, e.g. to search entities other writers stored), and {@code and} of those;
 *   <li>anything else (or, not, not-equal, greater/less than, isIn / notIn on metadata,
 *       containsString) is evaluated on the client over an over-fetched result of {@code maxResults
 *       x} {@link Builder#overFetchFactor} (at most 1000) candidates, so fewer than {@code
 *       maxResults} matches may come back when the filter is very selective.
 * </ul>
 *
 * <p><b>Removal</b> is immediate (the next search does not return the entity). {@link #removeAll()}
 * and {@link #removeAll(Filter)} scan the tenant and delete matching entities of the store's type
 * one by one: O(tenant size).
 *
 * <p>Thread-safe (the client is).
 */
public final class AlliEmbeddingStore implements EmbeddingStore<TextSegment> {
  public static final String DEFAULT_ENTITY_TYPE = "text_segment";

  /**
   * A pseudo metadata key naming the entity type in filters ({@code
   * metadataKey(ENTITY_TYPE_KEY).isIn("paper", "person")}).
   */
  public static final String ENTITY_TYPE_KEY = "allidb.entity_type";

  private final AlliClient client;
  private final String entityType;
  private final int overFetchFactor;

  private AlliEmbeddingStore(Builder b) {
    this.client = Objects.requireNonNull(b.client, "client");
    this.entityType = b.entityType;
    this.overFetchFactor = b.overFetchFactor;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String add(Embedding embedding) {
    String id = UUID.randomUUID().toString();
    add(id, embedding);
    return id;
  }

  @Override
  public void add(String id, Embedding embedding) {
    addAll(List.of(id), List.of(embedding), null);
  }

  @Override
  public String add(Embedding embedding, TextSegment segment) {
    String id = UUID.randomUUID().toString();
    addAll(List.of(id), List.of(embedding), List.of(segment));
    return id;
  }

  @Override
  public List<String> addAll(List<Embedding> embeddings) {
    List<String> ids = generateIds(embeddings.size());
    addAll(ids, embeddings, null);
    return ids;
  }

  /**
   * Writes the embeddings (and segments, when not null) with {@link AlliClient#putBatch}, chunked
   * below the node's request limit.
   *
   * @throws IllegalArgumentException when the lists differ in size, or the node refused some
   *     entities (e.g. another dimension than the tenant's), naming why; the others were written
   */
  @Override
  public void addAll(List<String> ids, List<Embedding> embeddings, List<TextSegment> segments) {
    if (ids.size() != embeddings.size() || (segments != null && segments.size() != ids.size())) {
      throw new IllegalArgumentException(
          "ids, embeddings and segments must have the same size; got "
              + ids.size()
              + ", "
              + embeddings.size()
              + " and "
              + (segments == null ? "no segments" : segments.size()));
    }
    if (ids.isEmpty()) {
      return;
    }
    var entities = new ArrayList<Entity>(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      entities.add(
          toEntity(ids.get(i), embeddings.get(i), segments == null ? null : segments.get(i)));
    }
    BatchResult result = client.putBatch(entities);
    if (result.failureCount() > 0) {
      throw new IllegalArgumentException(
          "AlliDB refused "
              + result.failureCount()
              + " of "
              + ids.size()
              + " embeddings (the others were written): "
              + String.join("; ", result.errors()));
    }
  }

  private Entity toEntity(String id, Embedding embedding, TextSegment segment) {
    if (id == null || id.isEmpty()) {
      throw new IllegalArgumentException("embedding id must not be empty");
    }
    Objects.requireNonNull(embedding, "embedding of " + id);
    var vector = VectorEmbedding.newBuilder();
    for (float f : embedding.vector()) {
      vector.addVector(f);
    }
    var entity =
        Entity.newBuilder().setEntityId(id).setEntityType(entityType).addEmbeddings(vector);
    if (segment != null) {
      entity.addChunks(
          TextChunk.newBuilder()
              .setChunkId(id)
              .setText(segment.text())
              .putAllMetadata(MetadataCodec.encode(segment.metadata())));
    }
    return entity.build();
  }

  @Override
  public EmbeddingSearchResult<TextSegment> search(EmbeddingSearchRequest request) {
    FilterPushdown pushdown = FilterPushdown.of(request.filter());
    if (pushdown.unsatisfiable()) {
      return new EmbeddingSearchResult<>(List.of());
    }
    int k =
        pushdown.exact()
            ? request.maxResults()
            : (int) Math.min(QueryBuilder.MAX_K, (long) request.maxResults() * overFetchFactor);
    QueryBuilder query =
        client
            .query()
            .vector(request.queryEmbedding().vector())
            .k(Math.min(k, QueryBuilder.MAX_K))
            .weights(1, 0, 0, 0)
            .entityTypes(types(pushdown).toArray(String[]::new))
            .chunkMetadata(pushdown.chunkMetadata());
    var matches = new ArrayList<EmbeddingMatch<TextSegment>>();
    for (QueryResult r : query.execute()) {
      double score = r.getBreakdown().getVector();
      if (score < request.minScore()) {
        continue;
      }
      Entity e = r.getEntity();
      if (!pushdown.exact() && !request.filter().test(filterView(e))) {
        continue;
      }
      matches.add(new EmbeddingMatch<>(score, e.getEntityId(), embeddingOf(e), segmentOf(e)));
      if (matches.size() == request.maxResults()) {
        break;
      }
    }
    return new EmbeddingSearchResult<>(matches);
  }

  private List<String> types(FilterPushdown pushdown) {
    return pushdown.entityTypes() == null
        ? List.of(entityType)
        : List.copyOf(pushdown.entityTypes());
  }

  /**
   * The metadata a filter sees: the chunk's, plus the entity type under {@link #ENTITY_TYPE_KEY}.
   */
  private static Metadata filterView(Entity e) {
    Metadata m =
        e.getChunksCount() == 0
            ? new Metadata()
            : MetadataCodec.decode(e.getChunks(0).getMetadataMap());
    return m.put(ENTITY_TYPE_KEY, e.getEntityType());
  }

  private static Embedding embeddingOf(Entity e) {
    if (e.getEmbeddingsCount() == 0) {
      return null;
    }
    List<Float> v = e.getEmbeddings(e.getEmbeddingsCount() - 1).getVectorList();
    float[] vector = new float[v.size()];
    for (int i = 0; i < vector.length; i++) {
      vector[i] = v.get(i);
    }
    return Embedding.from(vector);
  }

  private static TextSegment segmentOf(Entity e) {
    if (e.getChunksCount() == 0 || e.getChunks(0).getText().isBlank()) {
      return null;
    }
    TextChunk chunk = e.getChunks(0);
    return TextSegment.from(chunk.getText(), MetadataCodec.decode(chunk.getMetadataMap()));
  }

  @Override
  public void remove(String id) {
    if (id == null || id.isEmpty()) {
      throw new IllegalArgumentException("id must not be empty");
    }
    client.delete(id);
  }

  @Override
  public void removeAll(Collection<String> ids) {
    if (ids == null || ids.isEmpty()) {
      throw new IllegalArgumentException("ids must not be empty");
    }
    ids.forEach(this::remove);
  }

  /**
   * Removes the store's entities (of its type, and matching the filter's entity types) that match.
   */
  @Override
  public void removeAll(Filter filter) {
    Objects.requireNonNull(filter, "filter");
    FilterPushdown pushdown = FilterPushdown.of(filter);
    if (pushdown.unsatisfiable()) {
      return;
    }
    List<String> types = types(pushdown);
    removeWhere(e -> types.contains(e.getEntityType()) && filter.test(filterView(e)));
  }

  /** Removes every entity of the store's entity type in the tenant. */
  @Override
  public void removeAll() {
    removeWhere(e -> entityType.equals(e.getEntityType()));
  }

  private void removeWhere(java.util.function.Predicate<Entity> matches) {
    // collect first, delete after: the scan's position is an id, so deleting behind it is safe,
    // but a scan that outlives many deletes pays for their tombstones on every page
    List<String> doomed =
        client.scan().pageSize(500).stream().filter(matches).map(Entity::getEntityId).toList();
    doomed.forEach(client::delete);
  }

  /** Builder; not thread-safe. */
  public static final class Builder {
    private AlliClient client;
    private String entityType = DEFAULT_ENTITY_TYPE;
    private int overFetchFactor = 4;

    private Builder() {}

    /** The client (its API key decides the tenant); the store does not close it. */
    public Builder client(AlliClient client) {
      this.client = client;
      return this;
    }

    /** Entity type of what this store writes, searches and removes (default text_segment). */
    public Builder entityType(String entityType) {
      if (entityType == null || entityType.isBlank()) {
        throw new IllegalArgumentException("entityType must not be empty");
      }
      this.entityType = entityType;
      return this;
    }

    /**
     * Candidates per wanted result when part of a filter is evaluated on the client (default 4).
     */
    public Builder overFetchFactor(int factor) {
      if (factor < 1) {
        throw new IllegalArgumentException("overFetchFactor must be >= 1; got " + factor);
      }
      this.overFetchFactor = factor;
      return this;
    }

    public AlliEmbeddingStore build() {
      return new AlliEmbeddingStore(this);
    }
  }
}
