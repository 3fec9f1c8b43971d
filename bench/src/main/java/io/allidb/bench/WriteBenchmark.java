package io.allidb.bench;

import io.allidb.api.proto.Entity;
import io.allidb.dataplane.storage.wal.DurabilityMode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Concurrent write throughput and latency of our storage engine against RocksDB, on the same rows,
 * in the same process and run, with fresh directories for every engine. Many concurrent writers are
 * the point: in sync mode both engines must merge writers into shared fsyncs (group commit) to get
 * anywhere, and the table reports how well each does it (rows per fsync).
 */
@Command(
    name = "write",
    mixinStandardHelpOptions = true,
    description = "Concurrent put/putBatch throughput and latency, AlliDB vs RocksDB.")
public final class WriteBenchmark implements Callable<Integer> {

  /** Engines the benchmark knows. */
  public enum Engine {
    ALLIDB,
    ROCKSDB
  }

  /** Payload choice on the command line. */
  public enum PayloadChoice {
    KV,
    VECTOR,
    BOTH
  }

  /** Durability choice on the command line. */
  public enum DurabilityChoice {
    SYNC,
    NONE,
    BOTH
  }

  static final String TENANT = "bench";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--writers", defaultValue = "64", description = "Writer threads (default 64).")
  int writers;

  @Option(
      names = "--rows-per-writer",
      defaultValue = "0",
      description = "Rows each writer writes after warm-up; 0 = run for --duration-seconds.")
  long rowsPerWriter;

  @Option(
      names = "--duration-seconds",
      defaultValue = "10",
      description = "Measured time per engine and cell (default 10).")
  double durationSeconds;

  @Option(
      names = "--warmup-seconds",
      defaultValue = "3",
      description = "Uncounted warm-up before measuring (default 3): JIT, first memtable, files.")
  double warmupSeconds;

  @Option(
      names = "--batch",
      defaultValue = "1",
      description = "Rows per call: 1 = put, more = putBatch / WriteBatch (default 1).")
  int batch;

  @Option(
      names = "--payload",
      defaultValue = "kv",
      description = "kv (1 KiB text rows), vector (768-d float rows) or both (default kv).")
  PayloadChoice payload;

  @Option(
      names = "--durability",
      defaultValue = "both",
      description = "sync (ack after fsync), none (no fsync) or both (default both).")
  DurabilityChoice durability;

  @Option(
      names = "--engines",
      split = ",",
      defaultValue = "allidb,rocksdb",
      description = "Comma-separated engines, run in this order (default allidb,rocksdb).")
  List<Engine> engines;

  @Option(
      names = "--dir",
      description =
          "Parent of the per-run data directories (default: a temp dir, deleted at the end).")
  Path dir;

  @Option(names = "--seed", defaultValue = "42", description = "Workload seed (default 42).")
  long seed;

  private final List<WriteResult> results = new ArrayList<>();

  /** Results of the last {@link #call()}, in run order. */
  public List<WriteResult> results() {
    return List.copyOf(results);
  }

  @Override
  public Integer call() throws Exception {
    validate();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    results.clear();

    boolean ownRoot = dir == null;
    Path root;
    if (ownRoot) {
      // The launcher points this at bench/target: /tmp may be tmpfs, where fsync costs nothing.
      Path parent =
          Path.of(System.getProperty("allidb.bench.tmp", System.getProperty("java.io.tmpdir")));
      Files.createDirectories(parent);
      root = Files.createTempDirectory(parent, "allidb-bench-");
    } else {
      root = Files.createDirectories(dir);
    }

    boolean allOk = true;
    try {
      List<String> args = spec.root().commandLine().getParseResult().originalArgs();
      BenchEnvironment.printHeader(out, "Write benchmark", args, root);
      out.printf(
          Locale.ROOT,
          "- workload: %s, batch %d, %d writers, %s, warm-up %.0f s, seed %d%n%n",
          describePayloads(),
          batch,
          writers,
          rowsPerWriter > 0
              ? rowsPerWriter + " rows per writer"
              : String.format(Locale.ROOT, "%.0f s measured", durationSeconds),
          warmupSeconds,
          seed);
      printRow(
          out,
          "engine",
          "mode",
          "payload",
          "batch",
          "writers",
          "rows/s",
          "p50 ms",
          "p99 ms",
          "fsyncs/s",
          "rows/fsync");
      out.println("|---|---|---|--:|--:|--:|--:|--:|--:|--:|");
      out.flush();

      for (Workload.Payload p : payloads()) {
        Workload workload = new Workload(p, seed);
        for (DurabilityMode mode : modes()) {
          WriteResult ours = null;
          WriteResult peer = null;
          for (Engine engine : engines) {
            String name = engine.name().toLowerCase(Locale.ROOT);
            err.printf(Locale.ROOT, "running %s %s %s...%n", name, lower(mode), lower(p));
            err.flush();
            WriteResult r = runOne(engine, mode, p, workload, root);
            results.add(r);
            printResult(out, r);
            allOk &= r.ok();
            if (engine == Engine.ALLIDB) {
              ours = r;
            } else {
              peer = r;
            }
            // Let the previous engine's background threads and file deletions settle so they do
            // not steal the two cores from the next run.
            System.gc();
            Thread.sleep(1000);
          }
          if (ours != null && peer != null && ours.ok() && peer.ok() && peer.rowsPerSecond() > 0) {
            printRow(
                out,
                "allidb/rocksdb",
                lower(mode),
                lower(p),
                Integer.toString(batch),
                Integer.toString(writers),
                String.format(Locale.ROOT, "%.2fx", ours.rowsPerSecond() / peer.rowsPerSecond()),
                "",
                "",
                "",
                "");
            out.flush();
          }
        }
      }
    } finally {
      if (ownRoot) {
        Dirs.deleteRecursively(root);
      }
    }
    return allOk ? 0 : 1;
  }

  private void validate() {
    List<String> problems = new ArrayList<>();
    if (writers < 1) {
      problems.add("--writers must be >= 1");
    }
    if (batch < 1) {
      problems.add("--batch must be >= 1");
    }
    if (rowsPerWriter < 0) {
      problems.add("--rows-per-writer must be >= 0");
    }
    if (rowsPerWriter == 0 && !(durationSeconds > 0)) {
      problems.add("--duration-seconds must be > 0");
    }
    if (!(warmupSeconds >= 0)) {
      problems.add("--warmup-seconds must be >= 0");
    }
    if (engines.isEmpty()) {
      problems.add("--engines must name at least one engine");
    }
    if (!problems.isEmpty()) {
      throw new CommandLine.ParameterException(spec.commandLine(), String.join("; ", problems));
    }
  }

  private List<Workload.Payload> payloads() {
    return switch (payload) {
      case KV -> List.of(Workload.Payload.KV);
      case VECTOR -> List.of(Workload.Payload.VECTOR);
      case BOTH -> List.of(Workload.Payload.KV, Workload.Payload.VECTOR);
    };
  }

  private List<DurabilityMode> modes() {
    return switch (durability) {
      case SYNC -> List.of(DurabilityMode.SYNC);
      case NONE -> List.of(DurabilityMode.NONE);
      case BOTH -> List.of(DurabilityMode.SYNC, DurabilityMode.NONE);
    };
  }

  private String describePayloads() {
    List<String> parts = new ArrayList<>();
    for (Workload.Payload p : payloads()) {
      Entity sample = new Workload(p, seed).entity(0, 0);
      parts.add(lower(p) + " (" + sample.getSerializedSize() + " B serialized)");
    }
    return String.join(", ", parts);
  }

  /** Opens a fresh engine, runs the writers, and always closes and deletes it. */
  private WriteResult runOne(
      Engine engine, DurabilityMode mode, Workload.Payload p, Workload workload, Path root) {
    String name = engine.name().toLowerCase(Locale.ROOT);
    try {
      Path runDir =
          Files.createTempDirectory(root, name + "-" + lower(p) + "-" + lower(mode) + "-");
      try (WriteTarget target = open(engine, runDir, mode)) {
        return measure(name, target, mode, p, workload);
      }
    } catch (Exception | LinkageError e) {
      // One engine failing (our engine is not there yet, a native library is missing) must not
      // hide the other engine's figures.
      String message =
          e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
      return WriteResult.failed(name, mode, p, batch, writers, message);
    }
  }

  private static WriteTarget open(Engine engine, Path dir, DurabilityMode mode) throws IOException {
    return switch (engine) {
      case ALLIDB -> new AllidbWriteTarget(dir, mode);
      case ROCKSDB -> new RocksDbWriteTarget(dir, mode);
    };
  }

  /** Shared timeline, written by the coordinator before it releases the start latch. */
  private static final class Timeline {
    volatile long measureStart;
    volatile long measureEnd; // Long.MAX_VALUE when bounded by rows rather than time
    volatile boolean abort;
  }

  /** What one writer saw in the measured window. */
  private static final class WriterState {
    final Histogram latencyMicros = new Histogram(3);
    long rows;
    long lastAckNanos;
  }

  private WriteResult measure(
      String name, WriteTarget target, DurabilityMode mode, Workload.Payload p, Workload workload)
      throws Exception {
    Timeline timeline = new Timeline();
    CountDownLatch ready = new CountDownLatch(writers);
    CountDownLatch start = new CountDownLatch(1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    WriterState[] states = new WriterState[writers];
    Thread[] threads = new Thread[writers];
    for (int w = 0; w < writers; w++) {
      int writer = w;
      WriterState state = states[w] = new WriterState();
      threads[w] =
          new Thread(
              () -> {
                ready.countDown();
                try {
                  start.await();
                  write(target, workload, writer, timeline, state);
                } catch (Throwable t) {
                  failure.compareAndSet(null, t);
                  timeline.abort = true;
                }
              },
              "bench-writer-" + w);
      threads[w].start();
    }

    ready.await();
    long now = System.nanoTime();
    long warmupNanos = (long) (warmupSeconds * 1e9);
    timeline.measureStart = now + warmupNanos;
    timeline.measureEnd =
        rowsPerWriter > 0 ? Long.MAX_VALUE : timeline.measureStart + (long) (durationSeconds * 1e9);
    long fsyncsBefore;
    long syncedBefore;
    if (warmupNanos == 0) {
      fsyncsBefore = target.walFsyncs();
      syncedBefore = target.walRowsSynced();
      start.countDown();
    } else {
      start.countDown();
      // Counters are read when counting starts so that warm-up fsyncs are excluded too.
      long wait;
      while ((wait = timeline.measureStart - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      fsyncsBefore = target.walFsyncs();
      syncedBefore = target.walRowsSynced();
    }
    for (Thread t : threads) {
      t.join();
    }
    if (failure.get() != null) {
      Throwable t = failure.get();
      if (t instanceof Exception e) {
        throw e;
      }
      throw new IllegalStateException(t);
    }
    long fsyncsAfter = target.walFsyncs();
    long syncedAfter = target.walRowsSynced();

    Histogram all = new Histogram(3);
    long rows = 0;
    long lastAck = timeline.measureStart;
    for (WriterState s : states) {
      all.add(s.latencyMicros);
      rows += s.rows;
      lastAck = Math.max(lastAck, s.lastAckNanos);
    }
    long fsyncs = fsyncsBefore < 0 || fsyncsAfter < 0 ? -1 : fsyncsAfter - fsyncsBefore;
    long synced = syncedBefore < 0 || syncedAfter < 0 ? -1 : syncedAfter - syncedBefore;
    return new WriteResult(
        name,
        mode,
        p,
        batch,
        writers,
        rows,
        lastAck - timeline.measureStart,
        all.getTotalCount() == 0 ? 0 : all.getValueAtPercentile(50),
        all.getTotalCount() == 0 ? 0 : all.getValueAtPercentile(99),
        fsyncs,
        synced,
        null);
  }

  /** One writer's loop: warm up until the measured window opens, then count every call. */
  private void write(
      WriteTarget target, Workload workload, int writer, Timeline timeline, WriterState state)
      throws IOException {
    long seq = 0;
    long counted = 0;
    while (!timeline.abort) {
      long now = System.nanoTime();
      if (now >= timeline.measureEnd) {
        break;
      }
      boolean measuring = now >= timeline.measureStart;
      int n = batch;
      if (measuring && rowsPerWriter > 0) {
        if (counted >= rowsPerWriter) {
          break;
        }
        n = (int) Math.min(batch, rowsPerWriter - counted);
      }
      // Rows are built before the clock starts: the table is about the engines, not protobuf.
      long t0;
      if (batch == 1) {
        Entity e = workload.entity(writer, seq);
        t0 = System.nanoTime();
        target.put(TENANT, e);
      } else {
        List<Entity> rows = workload.batch(writer, seq, n);
        t0 = System.nanoTime();
        target.putBatch(TENANT, rows);
      }
      long t1 = System.nanoTime();
      seq += n;
      if (measuring) {
        state.latencyMicros.recordValue(Math.max(0, (t1 - t0) / 1000));
        state.rows += n;
        state.lastAckNanos = t1;
        counted += n;
      }
    }
  }

  private static void printResult(PrintWriter out, WriteResult r) {
    if (!r.ok()) {
      printRow(
          out,
          r.engine(),
          lower(r.durability()),
          lower(r.payload()),
          Integer.toString(r.batch()),
          Integer.toString(r.writers()),
          "failed: " + r.error(),
          "",
          "",
          "",
          "");
    } else {
      printRow(
          out,
          r.engine(),
          lower(r.durability()),
          lower(r.payload()),
          Integer.toString(r.batch()),
          Integer.toString(r.writers()),
          String.format(Locale.ROOT, "%.0f", r.rowsPerSecond()),
          String.format(Locale.ROOT, "%.3f", r.p50Micros() / 1000.0),
          String.format(Locale.ROOT, "%.3f", r.p99Micros() / 1000.0),
          Double.isNaN(r.fsyncsPerSecond())
              ? "n/a"
              : String.format(Locale.ROOT, "%.0f", r.fsyncsPerSecond()),
          Double.isNaN(r.rowsPerFsync())
              ? (r.fsyncs() == 0 ? "-" : "n/a")
              : String.format(Locale.ROOT, "%.1f", r.rowsPerFsync()));
    }
    out.flush();
  }

  /** A Markdown table row, padded so the raw text also reads as a table. */
  private static void printRow(PrintWriter out, String... cells) {
    int[] widths = {14, 4, 7, 5, 7, 10, 8, 8, 8, 10};
    StringBuilder sb = new StringBuilder("|");
    for (int i = 0; i < cells.length; i++) {
      String c = cells[i];
      boolean left = i < 3;
      int pad = Math.max(0, widths[i] - c.length());
      sb.append(' ');
      if (left) {
        sb.append(c).append(" ".repeat(pad));
      } else {
        sb.append(" ".repeat(pad)).append(c);
      }
      sb.append(" |");
    }
    out.println(sb);
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }
}
