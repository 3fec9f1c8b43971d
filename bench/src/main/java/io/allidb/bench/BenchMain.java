package io.allidb.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the benchmark harness. Each benchmark is a subcommand so that later ones (reads,
 * vector search, ...) share one jar, one launcher script and one report header.
 */
@Command(
    name = "allidb-bench",
    mixinStandardHelpOptions = true,
    description = "AlliDB benchmarks against peer engines on the same machine and workload.",
    subcommands = {
      WriteBenchmark.class,
      AnnBenchmark.class,
      ServerBenchmark.class,
      ClusterBenchmark.class,
      StreamingBenchmark.class,
      EmbedBenchmark.class,
      HybridBenchmark.class,
      CommandLine.HelpCommand.class
    })
public final class BenchMain implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Runs the benchmark named by the first argument and exits with its status. */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line; tests drive it exactly like {@link #main(String[])} does. */
  public static CommandLine commandLine() {
    // Enum options are lower case on the command line (--payload kv) but upper case in Java.
    return new CommandLine(new BenchMain()).setCaseInsensitiveEnumValuesAllowed(true);
  }

  @Override
  public void run() {
    // No subcommand given: show what is available rather than doing nothing silently.
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing benchmark subcommand");
  }
}
