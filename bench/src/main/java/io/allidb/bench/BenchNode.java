package io.allidb.bench;

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
 * One {@code allidb server} in a child JVM for the cluster benchmark: the benchmark's own JDK and
 * classpath, a fixed heap, and the Vector API flags on JDK 22+ (what {@code bench/run} gives the
 * benchmark JVM). Output goes to a log file; {@link #start} returns once the node prints its
 * listening line, i.e. once it owns its tokens. Not thread-safe.
 */
final class BenchNode implements AutoCloseable {
  private static final Pattern LISTENING =
      Pattern.compile("AlliDB node \\S+ listening on .*gRPC (\\d+)");

  private final String name;
  private final List<String> args;
  private final Path log;
  private final String heap;
  private Process process;
  private volatile int grpcPort;

  BenchNode(String name, List<String> serverArgs, Path log, String heap) {
    this.name = name;
    this.args = List.copyOf(serverArgs);
    this.log = log;
    this.heap = heap;
  }

  BenchNode start(Duration timeout) throws IOException, InterruptedException, TimeoutException {
    var command = new ArrayList<String>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xms" + heap);
    command.add("-Xmx" + heap);
    if (Runtime.version().feature() >= 22) {
      command.add("--add-modules");
      command.add("jdk.incubator.vector");
      command.add("--enable-native-access=ALL-UNNAMED");
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("io.allidb.dataplane.cli.AlliDbCli");
    command.add("server");
    command.addAll(args);
    process = new ProcessBuilder(command).redirectErrorStream(true).start();
    var listening = new CountDownLatch(1);
    Process child = process;
    var pump =
        new Thread(
            () -> {
              try (var in =
                      new BufferedReader(
                          new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                  var out =
                      Files.newBufferedWriter(
                          log,
                          StandardCharsets.UTF_8,
                          StandardOpenOption.CREATE,
                          StandardOpenOption.APPEND)) {
                String line;
                while ((line = in.readLine()) != null) {
                  out.write(line);
                  out.newLine();
                  out.flush();
                  Matcher m = LISTENING.matcher(line);
                  if (m.find()) {
                    grpcPort = Integer.parseInt(m.group(1));
                    listening.countDown();
                  }
                }
              } catch (IOException ignored) {
                // the pipe closes when the node exits
              }
            },
            "bench-node-" + name);
    pump.setDaemon(true);
    pump.start();
    if (!listening.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new TimeoutException(name + " did not start within " + timeout + "; see " + log);
    }
    return this;
  }

  int grpcPort() {
    return grpcPort;
  }

  static int freePort() {
    try (var s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** SIGTERM, then SIGKILL after 20 s. */
  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
