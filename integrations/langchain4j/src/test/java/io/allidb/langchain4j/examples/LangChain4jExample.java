package io.allidb.langchain4j.examples;

import static dev.langchain4j.store.embedding.filter.MetadataFilterBuilder.metadataKey;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.retriever.ContentRetriever;
import dev.langchain4j.rag.content.retriever.EmbeddingStoreContentRetriever;
import dev.langchain4j.rag.query.Query;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.EmbeddingStoreIngestor;
import io.allidb.client.AlliClient;
import io.allidb.langchain4j.AlliEmbeddingStore;
import java.nio.file.Path;
import java.util.List;

/**
 * The LangChain4j example of docs/client.md (the document quotes this file; ExamplesTest runs it
 * against a real node): ingest documents with the local all-MiniLM-L6-v2 model, then retrieve
 * content for a question, as a RAG chain's retriever would. Environment as in the plain example.
 */
public final class LangChain4jExample {
  private LangChain4jExample() {}

  public static void main(String[] args) {
    var builder =
        AlliClient.builder()
            .target(System.getenv().getOrDefault("ALLIDB_TARGET", "127.0.0.1:7000"))
            .apiKey(System.getenv("ALLIDB_API_KEY"));
    String ca = System.getenv("ALLIDB_CA");
    if (ca != null) {
      builder.trustBundle(Path.of(ca));
    } else {
      builder.plaintext();
    }
    try (AlliClient client = builder.build()) {
      EmbeddingStore<TextSegment> store =
          AlliEmbeddingStore.builder().client(client).entityType("handbook").build();
      run(store).forEach(c -> System.out.println(c.textSegment().text()));
    }
  }

  /** Ingests two documents and answers a question from the handbook only. */
  public static List<Content> run(EmbeddingStore<TextSegment> store) {
    EmbeddingModel model = new AllMiniLmL6V2QuantizedEmbeddingModel(); // offline, 384-d

    // without a splitter each document is one segment; use DocumentSplitters from the
    // langchain4j module for long documents
    EmbeddingStoreIngestor.builder()
        .embeddingModel(model)
        .embeddingStore(store)
        .build()
        .ingest(
            Document.from(
                "Expense reports are due on the fifth working day of the month.",
                Metadata.from("source", "handbook").put("year", 2026)),
            Document.from(
                "The office coffee machine is descaled every Friday.",
                Metadata.from("source", "notice-board")));

    ContentRetriever retriever =
        EmbeddingStoreContentRetriever.builder()
            .embeddingStore(store)
            .embeddingModel(model)
            .maxResults(3)
            .minScore(0.6)
            .filter(metadataKey("source").isEqualTo("handbook")) // evaluated by AlliDB
            .build();
    return retriever.retrieve(Query.from("When do I hand in my expenses?"));
  }
}
