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
 * Starts the server benchmark on a few hundred entities for a fraction of a second per workload:
 * checks the server starts, loads, answers every workload and cleans up. No timing assertions.
 */
class ServerBenchmarkTest {

  @TempDir Path dir;

  @Test
  void tinyRunMeasuresEveryWorkload() throws Exception {
    StringWriter out = new StringWriter();
    CommandLine cl = BenchMain.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(new StringWriter()));

    int rc =
        cl.execute(
            "server",
            "--entities",
            "300",
            "--dim",
            "16",
            "--queries",
            "20",
            "--clients",
            "2",
            "--warmup-seconds",
            "0.2",
            "--duration-seconds",
            "0.5",
            "--dir",
            dir.toString());

    ServerBenchmark bench = cl.getSubcommands().get("server").getCommand();
    assertThat(rc).as(out.toString()).isZero();
    assertThat(bench.rows()).hasSize(4).allSatisfy(r -> assertThat(r.calls()).isPositive());
    assertThat(bench.rows().get(0).recall()).isGreaterThan(0.5);
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left).isEmpty();
    }
  }
}
