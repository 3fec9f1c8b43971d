package io.allidb.dataplane.testing;

import io.allidb.dataplane.cli.AlliDbCli;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One AlliDB node ({@code allidb server ...}) in a child JVM, for tests that need a real process to
 * SIGKILL and restart. The node keeps its arguments (ports and data directory included) across
 * restarts, as a pod keeps its volume and name.
 *
 * <p>Not thread-safe: one test thread drives it.
 */
public final class NodeProcess implements AutoCloseable {
  private static final Pattern LISTENING =
      Pattern.compile("AlliDB node \\S+ listening on .*gRPC (\\d+)");

  private final String name;
  private final List<String> serverArgs;
  private final Path logFile;
  private Process process;
  private int grpcPort;

  /**
   * @param name node name, used in log lines and the log file name
   * @param serverArgs arguments after {@code server}
   * @param logFile where the child's stdout and stderr go (kept for post-mortems)
   */
  public NodeProcess(String name, List<String> serverArgs, Path logFile) {
    this.name = name;
    this.serverArgs = List.copyOf(serverArgs);
    this.logFile = logFile;
  }

  /** Starts the child and waits until it prints its listening line. */
  public NodeProcess start(Duration timeout)
      throws IOException, InterruptedException, TimeoutException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException(name + " is already running");
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    var command = new ArrayList<String>();
    command.add(java);
    command.add("-Xmx384m");
    command.add("-XX:+UseSerialGC"); // small heaps, several children on two cores
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(AlliDbCli.class.getName());
    command.add("server");
    command.addAll(serverArgs);
    var pb = new ProcessBuilder(command).redirectErrorStream(true);
    process = pb.start();
    var listening = new CountDownLatch(1);
    Process child = process;
    var pump =
        new Thread(
            () -> {
              try (var in =
                      new BufferedReader(
                          new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                  var log =
                      Files.newBufferedWriter(
                          logFile,
                          StandardCharsets.UTF_8,
                          StandardOpenOption.CREATE,
                          StandardOpenOption.APPEND)) {
                String line;
                while ((line = in.readLine()) != null) {
                  log.write(line);
                  log.newLine();
                  log.flush();
                  Matcher m = LISTENING.matcher(line);
                  if (m.find()) {
                    grpcPort = Integer.parseInt(m.group(1));
                    listening.countDown();
                  }
                }
              } catch (IOException ignored) {
                // the pipe breaks when the child dies
              }
            },
            name + "-output");
    pump.setDaemon(true);
    pump.start();
    if (!listening.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new TimeoutException(
          name
              + " did not start within "
              + timeout
              + " (exit: "
              + exitDescription()
              + "); see "
              + logFile);
    }
    return this;
  }

  /** SIGKILL: the process gets no chance to flush or say goodbye. */
  public void kill() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly(); // SIGKILL on Unix
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** SIGTERM and wait: a graceful shutdown. */
  public void stop(Duration timeout) throws InterruptedException {
    if (process != null) {
      process.destroy();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** The public gRPC port the node printed at its last start. */
  public int grpcPort() {
    return grpcPort;
  }

  public String name() {
    return name;
  }

  public Path logFile() {
    return logFile;
  }

  private String exitDescription() {
    return process.isAlive() ? "still running" : "exited with " + process.exitValue();
  }

  /** A port free right now on loopback (the usual race is acceptable in tests). */
  public static int freePort() {
    try (var socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop(Duration.ofSeconds(20));
  }
}
