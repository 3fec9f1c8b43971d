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
 * Runs the hybrid benchmark on 300 documents, one node then a two-node ring (child JVMs): every
 * mode answers every query on both setups, and the data dir is removed. No timing assertions.
 */
class HybridBenchmarkTest {

  @TempDir Path dir;

  @Test
  void tinyRunMeasuresEveryModeOnOneNodeAndARing() throws Exception {
    StringWriter out = new StringWriter();
    CommandLine cl = BenchMain.commandLine();
    cl.setOut(new PrintWriter(out));
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err));

    int rc =
        cl.execute(
            "hybrid",
            "--nodes",
            "2",
            "--rf",
            "1",
            "--docs",
            "300",
            "--queries",
            "5",
            "--warmup-queries",
            "1",
            "--node-heap",
            "512m",
            "--dir",
            dir.toString());

    HybridBenchmark bench = cl.getSubcommands().get("hybrid").getCommand();
    assertThat(rc).as(out + "\n" + err).isZero();
    assertThat(bench.results()).hasSize(6);
    assertThat(bench.results()).allSatisfy(r -> assertThat(r.queries()).isEqualTo(5));
    assertThat(bench.results().get(4).setup()).isEqualTo("2 nodes, RF 1");
    assertThat(bench.results().get(4).mode()).isEqualTo("rrf");
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left).isEmpty();
    }
  }
}
