package io.allidb.dataplane.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code allidb} command line: {@code allidb server} starts a node; client commands come later.
 *
 * <p>Not thread-safe; one instance per invocation.
 */
@Command(
    name = "allidb",
    mixinStandardHelpOptions = true,
    versionProvider = AlliDbCli.Version.class,
    description = "AlliDB: a vector + graph database for retrieval-augmented generation.",
    subcommands = {ServerCommand.class, CommandLine.HelpCommand.class})
public final class AlliDbCli {

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the CLI and returns its exit code (tests call this instead of {@link #main}). */
  public static int run(String... args) {
    return new CommandLine(new AlliDbCli()).execute(args);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = AlliDbCli.class.getPackage().getImplementationVersion();
      return new String[] {"allidb " + (v == null ? "0.1.0-SNAPSHOT" : v)};
    }
  }
}
