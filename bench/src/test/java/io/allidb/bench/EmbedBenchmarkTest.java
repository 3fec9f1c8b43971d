package io.allidb.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Runs the embed benchmark on a few texts and a few KB of ingest: checks both model variants load
 * and embed, ingest writes every chunk to a real node, and the data dir is removed. No timing
 * assertions.
 */
class EmbedBenchmarkTest {

  @TempDir Path dir;

  @Test
  void tinyRunMeasuresBothVariantsAndIngest() throws Exception {
    StringWriter out = new StringWriter();
    CommandLine cl = BenchMain.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(new StringWriter()));

    int rc =
        cl.execute(
            "embed",
            "--texts",
            "8",
            "--batch",
            "4",
            "--warmup-texts",
            "2",
            "--ingest-mb",
            "0.01",
            "--doc-kb",
            "4",
            "--dir",
            dir.toString());

    EmbedBenchmark bench = cl.getSubcommands().get("embed").getCommand();
    assertThat(rc).as(out.toString()).isZero();
    assertThat(bench.rows()).hasSize(6);
    assertThat(bench.rows().subList(0, 4)).allSatisfy(r -> assertThat(r.items()).isEqualTo(8));
    assertThat(bench.rows().get(4).what()).isEqualTo("ingest end to end");
    assertThat(bench.rows().get(4).items()).isPositive();
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left).isEmpty();
    }
  }
}
