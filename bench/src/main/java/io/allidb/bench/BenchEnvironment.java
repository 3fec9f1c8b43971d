package io.allidb.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

/**
 * Describes the machine a benchmark ran on, so a pasted result carries what is needed to judge it
 * (core count and file system matter more for fsync-bound writes than anything else).
 */
public final class BenchEnvironment {

  /** System property the launcher script sets to the command exactly as the user typed it. */
  public static final String COMMAND_PROPERTY = "allidb.bench.command";

  private BenchEnvironment() {}

  /**
   * A fresh run directory {@code allidb-<name>-bench-*} under {@code parent}, or when that is null
   * under {@code -Dallidb.bench.tmp} (the launcher points it at bench/target: /tmp may be tmpfs,
   * where fsync costs nothing), else the JVM's temporary directory.
   */
  static Path runDirectory(Path parent, String name) throws IOException {
    Path base =
        parent != null
            ? parent
            : Path.of(System.getProperty("allidb.bench.tmp", System.getProperty("java.io.tmpdir")));
    Files.createDirectories(base);
    return Files.createTempDirectory(base, "allidb-" + name + "-bench-");
  }

  /** Prints the report header: title, command line and machine, as Markdown list items. */
  public static void printHeader(PrintWriter out, String title, List<String> args, Path dataDir) {
    String command =
        System.getProperty(COMMAND_PROPERTY, "BenchMain " + String.join(" ", args)).strip();
    Runtime rt = Runtime.getRuntime();
    out.printf(Locale.ROOT, "## %s%n%n", title);
    out.printf(Locale.ROOT, "- command: `%s`%n", command);
    out.printf(
        Locale.ROOT,
        "- machine: %d cores (%s), %s %s %s, %.1f GiB RAM%n",
        rt.availableProcessors(),
        cpuModel(),
        System.getProperty("os.name"),
        System.getProperty("os.version"),
        System.getProperty("os.arch"),
        totalMemoryGiB());
    out.printf(
        Locale.ROOT,
        "- JDK: %s %s (%s), max heap %d MiB%n",
        System.getProperty("java.vm.name"),
        System.getProperty("java.runtime.version"),
        System.getProperty("java.vm.vendor"),
        rt.maxMemory() >> 20);
    out.printf(Locale.ROOT, "- data dir: %s (%s)%n", dataDir, fileSystem(dataDir));
    out.printf(Locale.ROOT, "- started: %s%n%n", Instant.now().truncatedTo(ChronoUnit.SECONDS));
    out.flush();
  }

  /** The file system type of a path; tmpfs would make fsync figures meaningless. */
  static String fileSystem(Path dir) {
    try {
      return Files.getFileStore(dir).type();
    } catch (IOException | RuntimeException e) {
      return "unknown fs";
    }
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).strip();
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux or not readable: the core count alone still says something.
    }
    return "unknown CPU";
  }

  private static double totalMemoryGiB() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          long kib = Long.parseLong(line.replaceAll("[^0-9]", ""));
          return kib / (1024.0 * 1024.0);
        }
      }
    } catch (IOException | RuntimeException e) {
      // Fall through.
    }
    return Double.NaN;
  }
}
