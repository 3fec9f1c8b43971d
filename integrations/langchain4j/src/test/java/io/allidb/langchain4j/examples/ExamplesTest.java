package io.allidb.langchain4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.rag.content.Content;
import io.allidb.client.AlliClient;
import io.allidb.dataplane.server.TestNode;
import io.allidb.langchain4j.AlliEmbeddingStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/client.md's LangChain4j example runs against a real node, and the document quotes it. */
class ExamplesTest {
  @TempDir Path dir;

  @Test
  void langChain4jExampleRunsAgainstARealNode() throws Exception {
    try (var node = TestNode.overTcp(dir, b -> b);
        var client =
            AlliClient.builder()
                .target("127.0.0.1:" + node.server.port())
                .plaintext()
                .apiKey(TestNode.KEY_A)
                .build()) {
      var store = AlliEmbeddingStore.builder().client(client).entityType("handbook").build();
      List<Content> answer = LangChain4jExample.run(store);
      assertThat(answer)
          .singleElement()
          .satisfies(c -> assertThat(c.textSegment().text()).startsWith("Expense reports are due"));
    }
  }

  @Test
  void docsQuoteTheExampleAsItIs() throws Exception {
    String docs = Files.readString(Path.of("..", "..", "docs", "client.md"));
    String source =
        Files.readString(
            Path.of("src/test/java/io/allidb/langchain4j/examples/LangChain4jExample.java"));
    assertThat(docs).contains(source.substring(source.indexOf("public final class")));
  }
}
