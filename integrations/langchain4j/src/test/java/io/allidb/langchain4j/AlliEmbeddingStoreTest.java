package io.allidb.langchain4j;

import static dev.langchain4j.store.embedding.filter.MetadataFilterBuilder.metadataKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.DocumentSplitter;
import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.retriever.EmbeddingStoreContentRetriever;
import dev.langchain4j.rag.query.Query;
import dev.langchain4j.store.embedding.CosineSimilarity;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.EmbeddingStoreIngestor;
import dev.langchain4j.store.embedding.RelevanceScore;
import dev.langchain4j.store.embedding.filter.Filter;
import io.allidb.client.AlliClient;
import io.allidb.client.AuthenticationException;
import io.allidb.dataplane.server.TestNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link AlliEmbeddingStore} against a real node on loopback, with the local all-MiniLM-L6-v2
 * embedding model (offline): the behaviours LangChain4j users rely on, and LangChain4j's own
 * ingestor and retriever over it.
 */
class AlliEmbeddingStoreTest {
  private static EmbeddingModel model;

  @TempDir Path dir;
  private TestNode node;
  private AlliClient client;
  private AlliEmbeddingStore store;

  @BeforeAll
  static void loadModel() {
    model = new AllMiniLmL6V2QuantizedEmbeddingModel();
  }

  @BeforeEach
  void start() throws Exception {
    node = TestNode.overTcp(dir, b -> b);
    client = client(TestNode.KEY_A);
    store = AlliEmbeddingStore.builder().client(client).build();
  }

  private AlliClient client(String key) {
    return AlliClient.builder()
        .target("127.0.0.1:" + node.server.port())
        .plaintext()
        .apiKey(key)
        .deadline(Duration.ofSeconds(30))
        .build();
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    node.close();
  }

  private String add(AlliEmbeddingStore s, String text, Metadata metadata) {
    TextSegment segment = TextSegment.from(text, metadata);
    return s.add(model.embed(segment).content(), segment);
  }

  private List<EmbeddingMatch<TextSegment>> search(String text, int max, Filter filter) {
    return store
        .search(
            EmbeddingSearchRequest.builder()
                .queryEmbedding(model.embed(text).content())
                .maxResults(max)
                .filter(filter)
                .build())
        .matches();
  }

  private static List<String> texts(List<EmbeddingMatch<TextSegment>> matches) {
    return matches.stream().map(m -> m.embedded().text()).toList();
  }

  @Test
  void addThenSearchFindsItWithLangChainsRelevanceAndTypedMetadata() {
    UUID uuid = UUID.randomUUID();
    var metadata =
        new Metadata()
            .put("source", "guide.md")
            .put("year", 2021)
            .put("rank", 4.5)
            .put("uuid", uuid);
    String id = add(store, "AlliDB replicates every row to three nodes.", metadata);
    add(store, "Bananas are rich in potassium.", new Metadata());
    add(store, "The Eiffel tower is in Paris.", new Metadata());

    Embedding query = model.embed("How many copies of my data does the database keep?").content();
    List<EmbeddingMatch<TextSegment>> matches =
        store
            .search(EmbeddingSearchRequest.builder().queryEmbedding(query).maxResults(2).build())
            .matches();

    assertThat(matches).hasSize(2);
    EmbeddingMatch<TextSegment> best = matches.get(0);
    assertThat(best.embeddingId()).isEqualTo(id);
    assertThat(best.embedded().text()).isEqualTo("AlliDB replicates every row to three nodes.");
    assertThat(best.embedded().metadata().getInteger("year")).isEqualTo(2021);
    assertThat(best.embedded().metadata().getDouble("rank")).isEqualTo(4.5);
    assertThat(best.embedded().metadata().getUUID("uuid")).isEqualTo(uuid);
    assertThat(best.embedded().metadata().getString("source")).isEqualTo("guide.md");
    assertThat(best.embedded().metadata().toMap()).hasSize(4); // no reserved keys leak
    double expected =
        RelevanceScore.fromCosineSimilarity(CosineSimilarity.between(best.embedding(), query));
    assertThat(best.score()).isCloseTo(expected, Offset.offset(1e-5));
    assertThat(matches.get(1).score()).isLessThanOrEqualTo(best.score());

    var strict =
        store.search(
            EmbeddingSearchRequest.builder()
                .queryEmbedding(query)
                .maxResults(3)
                .minScore(best.score() + 1e-6)
                .build());
    assertThat(strict.matches()).isEmpty();
  }

  @Test
  void everyAddVariantStoresWhatItWasGiven() {
    Embedding e1 = model.embed("first").content();
    Embedding e2 = model.embed("second").content();
    String generated = store.add(e1);
    store.add("my-id", e2);
    List<String> ids =
        store.addAll(List.of(model.embed("third").content(), model.embed("fourth").content()));
    List<String> withSegments =
        store.addAll(List.of(model.embed("fifth").content()), List.of(TextSegment.from("fifth")));
    store.addAll(
        List.of("given-1"),
        List.of(model.embed("sixth").content()),
        List.of(TextSegment.from("sixth")));

    assertThat(ids).hasSize(2).doesNotContainNull().doesNotHaveDuplicates();
    var all =
        store
            .search(EmbeddingSearchRequest.builder().queryEmbedding(e2).maxResults(10).build())
            .matches();
    assertThat(all)
        .extracting(EmbeddingMatch::embeddingId)
        .containsExactlyInAnyOrder(
            generated, "my-id", ids.get(0), ids.get(1), withSegments.get(0), "given-1");
    assertThat(all.get(0).embeddingId()).isEqualTo("my-id");
    assertThat(all.get(0).embedded()).as("stored without a segment").isNull();
    assertThat(all.get(0).embedding().vector()).containsExactly(e2.vector());

    assertThatThrownBy(() -> store.addAll(List.of("a", "b"), List.of(e1), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("same size");
    assertThatThrownBy(() -> store.add(Embedding.from(new float[] {1, 2, 3})))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dimension");
    assertThatThrownBy(() -> add(store, "x", new Metadata().put("allidb.entity_type", "y")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reserves");
  }

  @Test
  void filtersNarrowResultsOnTheNodeOrOnTheClient() {
    add(store, "Cats sleep most of the day.", new Metadata().put("lang", "en").put("year", 2019));
    add(store, "Les chats dorment beaucoup.", new Metadata().put("lang", "fr").put("year", 2021));
    add(store, "Dogs like to walk.", new Metadata().put("lang", "en").put("year", 2023));
    add(store, "Katzen schlafen viel.", new Metadata().put("lang", "de").put("year", 2023));
    var faq = AlliEmbeddingStore.builder().client(client).entityType("faq").build();
    add(faq, "Cats: how long do they sleep?", new Metadata().put("lang", "en"));

    String q = "sleeping cats";
    assertThat(texts(search(q, 10, null)))
        .hasSize(4)
        .doesNotContain("Cats: how long do they sleep?");
    // pushed to the node
    assertThat(texts(search(q, 10, metadataKey("lang").isEqualTo("fr"))))
        .containsExactly("Les chats dorment beaucoup.");
    assertThat(
            texts(
                search(
                    q,
                    10,
                    metadataKey("lang").isEqualTo("en").and(metadataKey("year").isEqualTo(2023)))))
        .containsExactly("Dogs like to walk.");
    assertThat(
            search(
                q,
                10,
                metadataKey("lang").isEqualTo("en").and(metadataKey("lang").isEqualTo("fr"))))
        .isEmpty();
    assertThat(texts(search(q, 10, metadataKey(AlliEmbeddingStore.ENTITY_TYPE_KEY).isIn("faq"))))
        .containsExactly("Cats: how long do they sleep?");
    // evaluated on the client over an over-fetch
    assertThat(texts(search(q, 10, metadataKey("year").isGreaterThan(2020))))
        .containsExactlyInAnyOrder(
            "Les chats dorment beaucoup.", "Dogs like to walk.", "Katzen schlafen viel.");
    assertThat(
            texts(
                search(
                    q,
                    10,
                    metadataKey("lang").isEqualTo("fr").or(metadataKey("lang").isEqualTo("de")))))
        .containsExactlyInAnyOrder("Les chats dorment beaucoup.", "Katzen schlafen viel.");
    assertThat(
            texts(
                search(
                    q,
                    1,
                    metadataKey("lang").isEqualTo("en").and(metadataKey("year").isLessThan(2020)))))
        .containsExactly("Cats sleep most of the day.");
    assertThat(texts(search(q, 10, Filter.not(metadataKey("lang").isIn("en", "fr")))))
        .containsExactly("Katzen schlafen viel.");
  }

  @Test
  void removalIsImmediate() {
    String a = add(store, "alpha centauri is a star system", new Metadata().put("kind", "star"));
    String b =
        add(store, "betelgeuse is a red supergiant star", new Metadata().put("kind", "star"));
    String c =
        add(store, "the andromeda galaxy", new Metadata().put("kind", "galaxy").put("size", 220));
    String d =
        add(store, "the milky way galaxy", new Metadata().put("kind", "galaxy").put("size", 100));
    var faq = AlliEmbeddingStore.builder().client(client).entityType("faq").build();
    String f = add(faq, "what is a star?", new Metadata());

    store.remove(a);
    assertThat(search("alpha centauri", 10, null))
        .extracting(EmbeddingMatch::embeddingId)
        .containsExactlyInAnyOrder(b, c, d);
    store.removeAll(metadataKey("size").isGreaterThan(150));
    assertThat(search("galaxy", 10, null))
        .extracting(EmbeddingMatch::embeddingId)
        .containsExactlyInAnyOrder(b, d);
    store.removeAll(List.of(b));
    assertThat(search("star", 10, null)).extracting(EmbeddingMatch::embeddingId).containsExactly(d);
    store.removeAll();
    assertThat(search("galaxy", 10, null)).isEmpty();
    assertThat(client.get(f)).as("another entity type is another store").isPresent();
    assertThatThrownBy(() -> store.removeAll(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theClientsTextQueryIsEmbeddedByTheNodeAndMatchesTheStoresSearch() {
    String bread =
        add(store, "Sourdough bread needs a starter, flour, water and salt.", new Metadata());
    add(store, "The Eiffel tower is in Paris.", new Metadata());
    // the node embeds query_text with the same local model; the hybrid mode adds BM25 over chunks
    var hits =
        client
            .query()
            .text("how to make sourdough bread")
            .hybrid(io.allidb.api.proto.HybridMode.HYBRID_MODE_RRF)
            .entityTypes(AlliEmbeddingStore.DEFAULT_ENTITY_TYPE)
            .k(1)
            .execute();
    assertThat(hits)
        .singleElement()
        .satisfies(
            h -> {
              assertThat(h.getEntityId()).isEqualTo(bread);
              assertThat(h.getBreakdown().getTextRank()).isEqualTo(1);
            });
    assertThat(search("how to make sourdough bread", 1, null))
        .extracting(EmbeddingMatch::embeddingId)
        .containsExactly(bread);
  }

  @Test
  void theApiKeyDecidesTheTenant() {
    add(store, "tenant a's secret plans", new Metadata());
    try (var otherClient = client(TestNode.KEY_B)) {
      var other = AlliEmbeddingStore.builder().client(otherClient).build();
      assertThat(
              other
                  .search(
                      EmbeddingSearchRequest.builder()
                          .queryEmbedding(model.embed("secret plans").content())
                          .build())
                  .matches())
          .isEmpty();
    }
    try (var wrong = client("key-a.wrong-wrong-wrong-wrong-wrong-wrong")) {
      var denied = AlliEmbeddingStore.builder().client(wrong).build();
      assertThatThrownBy(() -> denied.add(model.embed("x").content()))
          .isInstanceOf(AuthenticationException.class);
    }
  }

  @Test
  void ingestorAndContentRetrieverRoundTrip() {
    // one segment per paragraph (the splitters live in the langchain4j module, not in core)
    DocumentSplitter paragraphs =
        document -> {
          var segments = new ArrayList<TextSegment>();
          String[] parts = document.text().split("\n\n");
          for (int i = 0; i < parts.length; i++) {
            segments.add(
                TextSegment.from(parts[i].strip(), document.metadata().copy().put("index", i)));
          }
          return segments;
        };
    var ingestor =
        EmbeddingStoreIngestor.builder()
            .documentSplitter(paragraphs)
            .embeddingModel(model)
            .embeddingStore(store)
            .build();
    ingestor.ingest(
        Document.from(
            "AlliDB stores entities with embeddings and typed relations.\n\n"
                + "A Graph RAG query expands from the nearest entities along their relations.",
            Metadata.from("source", "overview.md")),
        Document.from(
            "Sourdough bread needs a starter, flour, water and salt.\n\n"
                + "Bake it hot, with steam for the first twenty minutes.",
            Metadata.from("source", "bread.md")));

    var retriever =
        EmbeddingStoreContentRetriever.builder()
            .embeddingStore(store)
            .embeddingModel(model)
            .maxResults(2)
            .minScore(0.6)
            .build();
    List<Content> about = retriever.retrieve(Query.from("How do I bake bread?"));
    assertThat(about).isNotEmpty();
    assertThat(about)
        .allSatisfy(
            c -> assertThat(c.textSegment().metadata().getString("source")).isEqualTo("bread.md"));

    var onlyOverview =
        EmbeddingStoreContentRetriever.builder()
            .embeddingStore(store)
            .embeddingModel(model)
            .maxResults(5)
            .filter(metadataKey("source").isEqualTo("overview.md"))
            .build();
    List<Content> graph = onlyOverview.retrieve(Query.from("graph traversal of relations"));
    assertThat(graph).hasSize(2);
    assertThat(graph.get(0).textSegment().text()).startsWith("A Graph RAG query");
    assertThat(graph.get(0).textSegment().metadata().getInteger("index")).isEqualTo(1);
  }
}
