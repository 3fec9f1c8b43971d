package io.allidb.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Runs the ann harness on a few hundred synthetic vectors with our engine (and Lucene when the
 * build compiled it) to catch wiring mistakes. No timing assertions: CI timings prove nothing.
 */
class AnnBenchmarkTest {

  @TempDir Path dir;

  @Test
  void syntheticRunProducesRowsAndASummary() {
    StringWriter out = new StringWriter();
    CommandLine cl = BenchMain.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(new StringWriter()));

    int rc =
        cl.execute(
            "ann",
            "--dataset",
            "synthetic",
            "--synthetic-size",
            "300",
            "--queries",
            "20",
            "--engines",
            "allidb,lucene",
            "--widths",
            "10,40",
            "--work-dir",
            dir.toString());

    AnnBenchmark bench = cl.getSubcommands().get("ann").getCommand();
    assertThat(rc).as(out.toString()).isZero();
    assertThat(bench.rows()).filteredOn(r -> r.engine().equals("allidb")).hasSize(2);
    // a 300-vector graph searched with beam 40 should find nearly everything
    assertThat(bench.rows().get(1).recall()).as(out.toString()).isGreaterThan(0.8);
    assertThat(out.toString()).contains("| allidb |").contains("best QPS @ recall >= 0.95");
  }

  @Test
  void parsesThePeerScriptsJsonLines() {
    var f =
        AnnBenchmark.parseJson(
            "{\"engine\": \"faiss\", \"params\": \"M=16, efC=200\", \"build_s\": 1.5e1,"
                + " \"ef\": 40, \"recall\": 0.97}");
    assertThat(f)
        .containsEntry("engine", "faiss")
        .containsEntry("params", "M=16, efC=200")
        .containsEntry("build_s", "1.5e1")
        .containsEntry("ef", "40");
  }
}
