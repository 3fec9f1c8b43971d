package io.allidb.dataplane.cli;

import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
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
    return execute(
        new CommandLine(new AlliDbCli()).setExecutionExceptionHandler(AlliDbCli::handleError),
        System.getenv(),
        args);
  }

  /** Runs the CLI with its output and errors going to {@code out} and {@code err} (for tests). */
  static int run(PrintWriter out, PrintWriter err, String... args) {
    return run(out, err, System.getenv(), args);
  }

  /** As {@link #run(PrintWriter, PrintWriter, String...)} in environment {@code env}. */
  static int run(PrintWriter out, PrintWriter err, Map<String, String> env, String... args) {
    return execute(
        new CommandLine(new AlliDbCli())
            .setOut(out)
            .setErr(err)
            .setExecutionExceptionHandler(AlliDbCli::handleError),
        env,
        args);
  }

  /**
   * {@code allidb server} takes defaults from its config file and environment, which must be known
   * before picocli applies defaults, so they are read from the raw arguments here.
   */
  private static int execute(CommandLine cli, Map<String, String> env, String... args) {
    if (args.length > 0 && args[0].equals("server")) {
      var server = cli.getSubcommands().get("server");
      try {
        ServerCommand.install(server, List.of(args).subList(1, args.length), env);
      } catch (CommandLine.ParameterException e) {
        server.getErr().println("allidb server: " + e.getMessage());
        return server.getCommandSpec().exitCodeOnInvalidInput();
      }
    }
    return cli.execute(args);
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
