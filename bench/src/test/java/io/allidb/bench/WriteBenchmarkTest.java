package io.allidb.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Runs the write harness end to end on RocksDB alone, tiny, to catch wiring mistakes. It asserts
 * only that rows were written and reported: timings on a shared CI machine prove nothing.
 */
class WriteBenchmarkTest {

  @TempDir Path dir;

  @Test
  void rocksDbRunProducesAResultRow() throws Exception {
    StringWriter out = new StringWriter();
    CommandLine cl = BenchMain.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(new StringWriter()));

    int rc =
        cl.execute(
            "write",
            "--engines",
            "rocksdb",
            "--writers",
            "1",
            "--rows-per-writer",
            "20",
            "--warmup-seconds",
            "0",
            "--payload",
            "kv",
            "--durability",
            "sync",
            "--batch",
            "4",
            "--dir",
            dir.toString());

    WriteBenchmark bench = cl.getSubcommands().get("write").getCommand();
    List<WriteResult> results = bench.results();
    assertThat(rc).as(out.toString()).isZero();
    assertThat(results).hasSize(1);
    WriteResult r = results.get(0);
    assertThat(r.ok()).as(r.error()).isTrue();
    assertThat(r.engine()).isEqualTo("rocksdb");
    assertThat(r.rows()).isEqualTo(20);
    assertThat(r.rowsPerSecond()).isPositive();
    assertThat(out.toString()).contains("| rocksdb").contains("command:");
    // Every run's directory is deleted afterwards, even under a caller-supplied --dir.
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left).isEmpty();
    }
  }
}
