package io.allidb.dataplane.cli;

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

/** {@code allidb ingest} (chunking, local embedding, resumability) and {@code allidb ask}. */
class IngestAndAskTest {
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

  private long stored() throws Exception {
    var count = new long[1];
    node.server.entityStore().storage().forEachLive((t, e) -> count[0]++);
    return count[0];
  }

  @Test
  void ingestsADirectoryResumesWithoutRedoingFilesAndAnswersQuestions() throws Exception {
    Path docs = Files.createDirectories(dir.resolve("docs"));
    Files.writeString(
        docs.resolve("storage.md"),
        "# Storage\n\nThe write-ahead log is fsynced before a write is acknowledged.\n\n"
            + "SSTable blocks carry CRC32C checksums; corrupt blocks are reported.\n");
    Files.writeString(
        docs.resolve("cats.txt"), "The cat sat on the warm windowsill.\n\nIt purred all day.\n");
    Files.writeString(docs.resolve("image.png"), "not text");
    Path progress = dir.resolve("progress");

    assertThat(
            cli(
                "ingest",
                docs.toString(),
                "--chunk-chars",
                "80",
                "--progress-file",
                progress.toString()))
        .as(err.toString())
        .isZero();
    assertThat(out.toString()).contains("Ingested 2 file(s), 3 chunk(s); skipped 0");
    assertThat(err.toString()).contains("[##############################] 2/2 files");
    assertThat(stored()).isEqualTo(3);

    // a resumed run skips what was recorded: delete a chunk, it stays deleted
    var store = node.server.entityStore();
    String cats = docs.resolve("cats.txt") + "#0";
    store.delete("tenant-a", cats);
    Files.writeString(docs.resolve("new.txt"), "Gossip spreads membership every second.");
    assertThat(
            cli(
                "ingest",
                docs.toString(),
                "--chunk-chars",
                "80",
                "--progress-file",
                progress.toString()))
        .isZero();
    assertThat(out.toString()).contains("Ingested 1 file(s), 1 chunk(s); skipped 2");
    assertThat(store.storage().get("tenant-a", cats)).isEmpty();

    // a changed file is ingested again
    Files.writeString(docs.resolve("cats.txt"), "The cat now sleeps in the garden.");
    assertThat(cli("ingest", docs.toString(), "--progress-file", progress.toString())).isZero();
    assertThat(out.toString()).contains("Ingested 1 file(s), 1 chunk(s); skipped 2");

    assertThat(cli("ask", "where does the kitten sleep?", "-k", "2")).as(err.toString()).isZero();
    assertThat(out.toString())
        .contains("vector")
        .contains("trank")
        .contains("cats.txt#0")
        .contains("The cat now sleeps in the garden.");
    String first = out.toString().lines().skip(1).findFirst().orElseThrow();
    assertThat(first).startsWith("1 ").contains("cats.txt#0");
  }

  @Test
  void chunkerPacksParagraphsAndSplitsLongOnesAtSentences() {
    var c = new Chunker(60);
    assertThat(c.chunks("One.\n\nTwo.\n\n\nThree is here."))
        .containsExactly("One.\nTwo.\nThree is here.");
    assertThat(
            c.chunks(
                "This first sentence is long enough to matter here. And a second one follows it."))
        .containsExactly(
            "This first sentence is long enough to matter here.", "And a second one follows it.");
  }
}
