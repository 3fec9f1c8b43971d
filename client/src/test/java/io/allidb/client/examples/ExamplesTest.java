package io.allidb.client.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.client.AlliClient;
import io.allidb.dataplane.server.TestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/client.md's plain Java example runs against a real node, and the document quotes it. */
class ExamplesTest {
  @TempDir Path dir;

  @Test
  void plainJavaExampleRunsAgainstARealNode() throws Exception {
    try (var node = TestNode.overTcp(dir, b -> b);
        var client =
            AlliClient.builder()
                .target("127.0.0.1:" + node.server.port())
                .plaintext()
                .apiKey(TestNode.KEY_A)
                .build()) {
      assertThat(PlainJavaExample.run(client)).contains("paper-dynamo");
      assertThat(client.get("paper-dynamo")).isEmpty();
      assertThat(client.get("avinash-lakshman")).isPresent();
    }
  }

  @Test
  void docsQuoteTheExampleAsItIs() throws Exception {
    String docs = Files.readString(Path.of("..", "docs", "client.md"));
    String source =
        Files.readString(Path.of("src/test/java/io/allidb/client/examples/PlainJavaExample.java"));
    assertThat(docs).contains(source.substring(source.indexOf("public final class")));
  }
}
