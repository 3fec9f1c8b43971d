package io.allidb.dataplane.cli;

import static io.allidb.dataplane.server.TestNode.KEY_A;
import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.dataplane.server.TestNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client commands against a real node over TCP. */
class ClientCommandsTest {
  @TempDir Path dir;
  private TestNode node;
  private String target;
  private StringWriter out;
  private StringWriter err;

  @BeforeEach
  void start() throws Exception {
    node = TestNode.overTcp(dir, b -> b);
    target = "127.0.0.1:" + node.server.port();
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
  }

  /** Runs a client command with a tenant-a client key file and this node as target. */
  private int cli(String... args) throws Exception {
    out = new StringWriter();
    err = new StringWriter();
    // the node's key set holds only hashes; a client key file holds the key itself
    Path clientKey = Files.writeString(dir.resolve("client-key"), TestNode.KEY_A + "\n");
    var all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--target", target, "--api-key-file", clientKey.toString()));
    return AlliDbCli.run(
        new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
  }

  private Path file(String name, String content) throws Exception {
    return Files.writeString(dir.resolve(name), content);
  }

  private static String entity(String id, String type, String vector, String text) {
    return "{\"entity_id\": \""
        + id
        + "\", \"entity_type\": \""
        + type
        + "\", \"embeddings\": [{\"vector\": "
        + vector
        + "}], \"chunks\": [{\"chunk_id\": \""
        + id
        + "#0\", \"text\": \""
        + text
        + "\"}]}";
  }

  @Test
  void putThenGetPrintsTheStoredEntity() throws Exception {
    assertThat(cli("put", file("e.json", entity("e1", "paper", "[1, 0]", "hello")).toString()))
        .isZero();
    assertThat(out.toString()).contains("\"entity_id\": \"e1\"");
    assertThat(cli("get", "e1")).isZero();
    assertThat(out.toString()).contains("\"tenant_id\": \"tenant-a\"").contains("hello");
  }

  @Test
  void deleteRemovesTheEntityAndGetThenFailsWithTheStatusCode() throws Exception {
    cli("put", file("e.json", entity("e1", "paper", "[1, 0]", "x")).toString());
    assertThat(cli("delete", "e1")).isZero();
    assertThat(cli("get", "e1")).isEqualTo(1);
    assertThat(err.toString()).contains("NOT_FOUND").contains("e1");
  }

  @Test
  void queryWithExplainPrintsTheScoreBreakdown() throws Exception {
    cli("put", file("a.json", entity("a", "paper", "[1, 0]", "alpha")).toString());
    cli("put", file("b.json", entity("b", "person", "[0, 1]", "beta")).toString());
    assertThat(
            cli("query", "--vector", file("q.json", "[1, 0]").toString(), "-k", "2", "--explain"))
        .isZero();
    String table = out.toString();
    assertThat(table).contains("vector").contains("graph").contains("recency").contains("hops");
    assertThat(table.indexOf(" a ")).isLessThan(table.indexOf(" b "));
  }

  @Test
  void queryLikeAnEntityUsesItsLatestEmbeddingAndTypeFilters() throws Exception {
    cli("put", file("a.json", entity("a", "paper", "[1, 0]", "alpha")).toString());
    cli("put", file("b.json", entity("b", "person", "[0.9, 0.1]", "beta")).toString());
    assertThat(cli("query", "--like", "a", "--type", "person")).isZero();
    assertThat(out.toString()).contains(" b ").doesNotContain(" a ");
  }

  @Test
  void scanFollowsPageTokensToTheEnd() throws Exception {
    for (String id : List.of("a", "b", "c")) {
      cli("put", file(id + ".json", entity(id, "t", "[1, 0]", id)).toString());
    }
    assertThat(cli("scan", "--page-size", "1", "--ids-only")).isZero();
    assertThat(out.toString().lines()).containsExactly("a", "b", "c");
  }

  @Test
  void importWritesBatchesAndReportsProgress() throws Exception {
    var lines = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      lines.append(entity("e" + i, "t", "[1, 0]", "text " + i)).append('\n');
    }
    assertThat(cli("import", file("in.jsonl", lines.toString()).toString(), "--batch-size", "2"))
        .isZero();
    assertThat(err.toString()).contains("imported 5/5 rows");
    cli("scan", "--ids-only");
    assertThat(out.toString().lines()).hasSize(5);
  }

  @Test
  void importStopsAtABadLineNamingItsNumber() throws Exception {
    String content =
        entity("a", "t", "[1, 0]", "ok") + "\n" + "{\"entity_id\": \"b\", \"nope\": 1}\n";
    assertThat(cli("import", file("bad.jsonl", content).toString())).isEqualTo(1);
    assertThat(err.toString()).contains("line 2").contains("nope");
  }

  @Test
  void importEmbedsChunkTextSoTextQueriesFindIt() throws Exception {
    String content =
        "{\"entity_id\": \"db\", \"chunks\": [{\"text\": \"Replicated databases copy data"
            + " across servers.\"}]}\n"
            + "{\"entity_id\": \"food\", \"chunks\": [{\"text\": \"Bake the bread for forty"
            + " minutes.\"}]}\n";
    assertThat(cli("import", file("t.jsonl", content).toString(), "--embed")).isZero();
    assertThat(cli("query", "--text", "distributed database replication", "-k", "1")).isZero();
    assertThat(out.toString()).contains(" db ").doesNotContain(" food ");
  }

  @Test
  void anInvalidKeyFailsWithUnauthenticatedAndIsNeverPrinted() throws Exception {
    out = new StringWriter();
    err = new StringWriter();
    String key = "key-a.notthesecretnotthesecretnotthe";
    int code =
        AlliDbCli.run(
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            "get",
            "x",
            "--target",
            target,
            "--api-key",
            key);
    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).contains("UNAUTHENTICATED").doesNotContain(key);
    assertThat(out.toString()).doesNotContain(key);
    assertThat(KEY_A).isNotEqualTo(key);
  }
}
