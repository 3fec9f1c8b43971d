package io.allidb.dataplane.cli;

import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code allidb} command line: {@code allidb server} starts a node; {@code put}, {@code get},
 * {@code delete}, {@code query}, {@code scan}, {@code import}, {@code ingest}, {@code ask} and
 * {@code extract} talk to one over gRPC; {@code demo} runs the bundled Graph RAG example.
 *
 * <p>Client errors print the gRPC status code and message (never a stack trace) and exit 1; usage
 * errors exit 2.
 *
 * <p>Not thread-safe; one instance per invocation.
 */
@Command(
    name = "allidb",
    mixinStandardHelpOptions = true,
    versionProvider = AlliDbCli.Version.class,
    description = "AlliDB: a vector + graph database for retrieval-augmented generation.",
    subcommands = {
      ServerCommand.class,
      KeysCommand.class,
      EntityCommands.Put.class,
      EntityCommands.Get.class,
      EntityCommands.Delete.class,
      QueryCommand.class,
      ScanCommand.class,
      ImportCommand.class,
      IngestCommand.class,
      AskCommand.class,
      ExtractCommand.class,
      DemoCommand.class,
      CommandLine.HelpCommand.class
    })
public final class AlliDbCli {

  /** Loggers that would print HTTP/2 headers (credentials) at DEBUG. */
  static final java.util.List<String> NETTY_FRAME_LOGGERS =
      java.util.List.of(
          "io.grpc.netty.shaded.io.grpc.netty.NettyServerHandler",
          "io.grpc.netty.shaded.io.grpc.netty.NettyClientHandler");

  public static void main(String[] args) {
    // DJL probes for CUDA on every start and warns when there is none; the CPU is what we use
    if (System.getProperty("org.slf4j.simpleLogger.log.ai.djl") == null) {
      System.setProperty("org.slf4j.simpleLogger.log.ai.djl", "error");
    }
    // grpc-netty's HTTP/2 frame logger prints request headers, the API key among them, at DEBUG:
    // keep it at INFO even when an operator turns debug logging on (docs/security.md)
    for (String frames : NETTY_FRAME_LOGGERS) {
      System.setProperty("org.slf4j.simpleLogger.log." + frames, "info");
    }
    System.exit(run(args));
  }

  /** Runs the CLI and returns its exit code (tests call this instead of {@link #main}). */
  public static int run(String... args) {
    return new CommandLine(new AlliDbCli())
        .setExecutionExceptionHandler(AlliDbCli::handleError)
        .execute(args);
  }

  /** Runs the CLI with its output and errors going to {@code out} and {@code err} (for tests). */
  static int run(PrintWriter out, PrintWriter err, String... args) {
    return new CommandLine(new AlliDbCli())
        .setOut(out)
        .setErr(err)
        .setExecutionExceptionHandler(AlliDbCli::handleError)
        .execute(args);
  }

  private static int handleError(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    String prefix = "allidb " + cmd.getCommandName() + ": ";
    if (e instanceof StatusRuntimeException s) {
      var status = s.getStatus();
      cmd.getErr()
          .println(
              prefix
                  + status.getCode()
                  + (status.getDescription() == null ? "" : ": " + status.getDescription()));
    } else {
      cmd.getErr().println(prefix + e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    return 1;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = AlliDbCli.class.getPackage().getImplementationVersion();
      return new String[] {"allidb " + (v == null ? "0.1.0-SNAPSHOT" : v)};
    }
  }
}
