package io.allidb.bench;

import io.allidb.dataplane.index.vector.VectorIndexOptions;
import io.allidb.dataplane.index.vector.VectorMetric;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * In-process ANN recall/QPS of our {@code JVectorIndex} against Lucene 10 HNSW, hnswlib and faiss
 * on ann-benchmarks' Fashion-MNIST-784 (euclidean), k=10, exact ground truth, one search thread, in
 * one run, so the ratios compare like with like on the same (shared, noisy) cores.
 *
 * <p>Each engine builds once (timed, all cores it can use), then for every search width runs the
 * queries once untimed (JIT, caches) and {@value #PASSES} timed passes; a row reports the median
 * pass. QPS/CPU-s divides by the search thread's CPU time instead of wall time, which is what
 * matters when other work shares the two cores.
 */
@Command(
    name = "ann",
    mixinStandardHelpOptions = true,
    description =
        "ANN recall@10 / single-thread QPS / build rate: AlliDB vs Lucene, hnswlib, faiss.")
public final class AnnBenchmark implements Callable<Integer> {

  static final int PASSES = 3;
  static final String LUCENE_ENGINE = "io.allidb.bench.lucene.LuceneHnswEngine";
  static final double[] RECALL_TARGETS = {0.95, 0.985};

  /** Where the data comes from. */
  public enum Dataset {
    FASHION_MNIST,
    SYNTHETIC
  }

  /** One measured point. */
  public record Row(
      String engine,
      String buildParams,
      double buildSeconds,
      int vectors,
      String searchParam,
      int width,
      double recall,
      double qps,
      double qpsCpu) {}

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--dataset",
      defaultValue = "fashion_mnist",
      description = "fashion_mnist or synthetic.")
  Dataset dataset;

  @Option(
      names = "--fashion-dir",
      description =
          "Directory with the idx3-ubyte.gz files (default /usr/share/datasets/fashion-mnist).")
  Path fashionDir;

  @Option(names = "--base", defaultValue = "0", description = "Base vectors; 0 = all (60K).")
  int baseLimit;

  @Option(
      names = "--queries",
      defaultValue = "1000",
      description = "Queries (first N test images).")
  int queryCount;

  @Option(names = "--synthetic-size", defaultValue = "500", description = "Synthetic base size.")
  int syntheticSize;

  @Option(names = "--synthetic-dim", defaultValue = "32", description = "Synthetic dimension.")
  int syntheticDim;

  @Option(names = "--k", defaultValue = "10", description = "Neighbours per query (default 10).")
  int k;

  @Option(
      names = "--engines",
      split = ",",
      defaultValue = "allidb,lucene,hnswlib,faiss",
      description =
          "Engines in run order (default allidb,lucene,hnswlib,faiss); jvector-raw adds jvector"
              + " without our wrapper, for diagnosis.")
  List<String> engines;

  @Option(
      names = "--widths",
      split = ",",
      defaultValue = "10,16,24,32,48,64,96,128,192",
      description = "Search beams (ours) / ef (peers).")
  List<Integer> widths;

  @Option(names = "--max-degree", defaultValue = "32", description = "Our M (full degree).")
  int maxDegree;

  @Option(names = "--construction-beam", defaultValue = "100", description = "Our build beam.")
  int constructionBeam;

  @Option(names = "--alpha", defaultValue = "1.2", description = "Our Vamana alpha.")
  float alpha;

  @Option(names = "--overflow", defaultValue = "1.2", description = "Our neighbour overflow.")
  float overflow;

  @Option(names = "--lucene-m", defaultValue = "16", description = "Lucene M.")
  int luceneM;

  @Option(names = "--lucene-beam", defaultValue = "100", description = "Lucene beamWidth.")
  int luceneBeam;

  @Option(names = "--peer-m", defaultValue = "16", description = "hnswlib/faiss M.")
  int peerM;

  @Option(
      names = "--peer-ef-construction",
      defaultValue = "200",
      description = "hnswlib/faiss efC.")
  int peerEfConstruction;

  @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "Python for peers.")
  String python;

  @Option(
      names = "--work-dir",
      description = "Raw vectors and cached ground truth (default bench/target/ann).")
  Path workDir;

  private final List<Row> rows = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  /** Rows of the last {@link #call()}. */
  public List<Row> rows() {
    return List.copyOf(rows);
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    rows.clear();
    notes.clear();
    Path work = workDir != null ? workDir : defaultWorkDir();
    err.println("loading data and ground truth...");
    err.flush();
    long t0 = System.nanoTime();
    AnnDataset data =
        dataset == Dataset.SYNTHETIC
            ? AnnDataset.synthetic(syntheticSize, queryCount, syntheticDim, k, 42, work)
            : AnnDataset.fashionMnist(
                fashionDir != null ? fashionDir : AnnDataset.DEBIAN_FASHION_MNIST,
                baseLimit,
                queryCount,
                k,
                work);
    double loadSeconds = (System.nanoTime() - t0) / 1e9;

    List<String> args = spec.root().commandLine().getParseResult().originalArgs();
    BenchEnvironment.printHeader(out, "ANN benchmark", args, work);
    out.printf(
        Locale.ROOT,
        "- data: %s, %d base, %d queries, dim %d, k=%d, exact L2 ground truth (%s); load %.1f s%n",
        data.name(),
        data.base().length,
        data.queries().length,
        data.dimension(),
        k,
        data.dir(),
        loadSeconds);
    out.printf(
        Locale.ROOT,
        "- search: one thread, %d untimed + %d timed passes per width, median pass%n%n",
        1,
        PASSES);
    out.println(
        "| engine | build params | build s | vectors/s | search | recall@10 | QPS (1 thread) |"
            + " QPS/CPU-s |");
    out.println("|---|---|--:|--:|---|--:|--:|--:|");
    out.flush();

    boolean ok = true;
    for (String engine : engines) {
      err.printf(Locale.ROOT, "running %s...%n", engine);
      err.flush();
      try {
        switch (engine) {
          case "allidb" -> runInProcess(out, data, ourEngine());
          case "jvector-raw" -> runInProcess(out, data, new JVectorRawAnnEngine(ourOptions()));
          case "lucene" -> {
            AnnEngine lucene = luceneEngine();
            if (lucene != null) {
              runInProcess(out, data, lucene);
            }
          }
          case "hnswlib", "faiss" -> runPython(out, err, data, engine);
          default -> throw new IllegalArgumentException("unknown engine " + engine);
        }
      } catch (Exception | OutOfMemoryError e) {
        ok = false;
        notes.add(engine + " failed: " + e);
        e.printStackTrace(err);
      }
      System.gc();
    }
    printSummary(out);
    out.flush();
    return ok ? 0 : 1;
  }

  private static Path defaultWorkDir() {
    return Path.of(System.getProperty("allidb.bench.tmp", "bench/target")).resolve("ann");
  }

  private AnnEngine ourEngine() {
    return new JVectorAnnEngine(ourOptions());
  }

  private VectorIndexOptions ourOptions() {
    return VectorIndexOptions.builder()
        .metric(VectorMetric.EUCLIDEAN)
        .maxDegree(maxDegree)
        .constructionBeamWidth(constructionBeam)
        .alpha(alpha)
        .neighborOverflow(overflow)
        .build();
  }

  /** The Lucene peer when it was compiled (JDK 21+ build with the bench profile), else null. */
  private AnnEngine luceneEngine() throws ReflectiveOperationException {
    Class<?> type;
    try {
      type = Class.forName(LUCENE_ENGINE);
    } catch (ClassNotFoundException | UnsupportedClassVersionError e) {
      notes.add(
          "lucene skipped: not built (the bench profile compiles it on JDK 21+; this build"
              + " or runtime is older)");
      return null;
    }
    return (AnnEngine) type.getConstructor(int.class, int.class).newInstance(luceneM, luceneBeam);
  }

  private void runInProcess(PrintWriter out, AnnDataset data, AnnEngine engine) throws Exception {
    try (engine) {
      long b0 = System.nanoTime();
      engine.build(data.base());
      double buildSeconds = (System.nanoTime() - b0) / 1e9;
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      float[][] queries = data.queries();
      for (int width : widths) {
        if (width < k) {
          continue;
        }
        int[][] results = new int[queries.length][];
        for (int q = 0; q < queries.length; q++) { // warm-up pass, untimed
          results[q] = engine.search(queries[q], k, width);
        }
        double[] qps = new double[PASSES];
        double[] qpsCpu = new double[PASSES];
        for (int p = 0; p < PASSES; p++) {
          long c0 = threads.getCurrentThreadCpuTime();
          long w0 = System.nanoTime();
          for (int q = 0; q < queries.length; q++) {
            results[q] = engine.search(queries[q], k, width);
          }
          long w1 = System.nanoTime();
          long c1 = threads.getCurrentThreadCpuTime();
          qps[p] = queries.length / ((w1 - w0) / 1e9);
          qpsCpu[p] = queries.length / (Math.max(1, c1 - c0) / 1e9);
        }
        Row row =
            new Row(
                engine.name(),
                engine.buildParams(),
                buildSeconds,
                data.base().length,
                engine.searchParam(),
                width,
                AnnDataset.recall(results, data.groundTruth(), k),
                median(qps),
                median(qpsCpu));
        rows.add(row);
        printRow(out, row);
      }
    }
  }

  private static final Pattern JSON_FIELD =
      Pattern.compile("\"(\\w+)\":\\s*(\"((?:[^\"\\\\]|\\\\.)*)\"|[-0-9.eE+]+)");

  /** Runs one Python peer; a missing python or library becomes a note, not a failure. */
  private void runPython(PrintWriter out, PrintWriter err, AnnDataset data, String engine)
      throws IOException, InterruptedException {
    Path script = peerScript();
    if (script == null) {
      notes.add(engine + " skipped: bench/peers/ann_peers.py not found");
      return;
    }
    if (!Files.isExecutable(Path.of(python)) && python.startsWith("/")) {
      notes.add(engine + " skipped: " + python + " not found");
      return;
    }
    List<String> cmd =
        List.of(
            python,
            script.toString(),
            "--dir",
            data.dir().toString(),
            "--dim",
            Integer.toString(data.dimension()),
            "--k",
            Integer.toString(k),
            "--efs",
            widths.stream()
                .filter(w -> w >= k)
                .map(String::valueOf)
                .collect(Collectors.joining(",")),
            "--engines",
            engine,
            "--m",
            Integer.toString(peerM),
            "--ef-construction",
            Integer.toString(peerEfConstruction),
            "--build-threads",
            Integer.toString(Runtime.getRuntime().availableProcessors()));
    Process proc = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        Map<String, String> f = parseJson(line);
        if (f.containsKey("skipped")) {
          notes.add(f.get("engine") + " skipped: " + f.get("skipped"));
          continue;
        }
        if (!f.containsKey("qps")) {
          err.println("peer: " + line);
          continue;
        }
        Row row =
            new Row(
                f.get("engine"),
                f.get("params")
                    + ", "
                    + Runtime.getRuntime().availableProcessors()
                    + " build threads",
                Double.parseDouble(f.get("build_s")),
                data.base().length,
                "ef",
                Integer.parseInt(f.get("ef")),
                Double.parseDouble(f.get("recall")),
                Double.parseDouble(f.get("qps")),
                Double.parseDouble(f.get("qps_cpu")));
        rows.add(row);
        printRow(out, row);
      }
    }
    int rc = proc.waitFor();
    if (rc != 0) {
      notes.add(engine + " peer exited with status " + rc);
    }
  }

  /** Flat JSON objects of strings and numbers only, which is all the peer script prints. */
  static Map<String, String> parseJson(String line) {
    Map<String, String> out = new LinkedHashMap<>();
    Matcher m = JSON_FIELD.matcher(line);
    while (m.find()) {
      out.put(m.group(1), m.group(3) != null ? m.group(3).replace("\\\"", "\"") : m.group(2));
    }
    return out;
  }

  private static Path peerScript() {
    for (Path p :
        List.of(
            Path.of(System.getProperty("allidb.bench.tmp", "bench/target"))
                .resolveSibling("peers/ann_peers.py"),
            Path.of("bench/peers/ann_peers.py"),
            Path.of("peers/ann_peers.py"),
            Path.of("../bench/peers/ann_peers.py"))) {
      if (Files.exists(p)) {
        return p.toAbsolutePath().normalize();
      }
    }
    return null;
  }

  private void printSummary(PrintWriter out) {
    out.println();
    out.println(
        "| engine | build vectors/s | best QPS @ recall >= 0.95 | best QPS @ recall >= 0.985 |");
    out.println("|---|--:|--:|--:|");
    Map<String, double[]> best = new LinkedHashMap<>();
    for (String engine : rows.stream().map(Row::engine).distinct().toList()) {
      List<Row> mine = rows.stream().filter(r -> r.engine().equals(engine)).toList();
      double[] b = new double[RECALL_TARGETS.length];
      String[] cells = new String[RECALL_TARGETS.length];
      for (int i = 0; i < RECALL_TARGETS.length; i++) {
        double target = RECALL_TARGETS[i];
        Row top =
            mine.stream()
                .filter(r -> r.recall() >= target)
                .max((x, y) -> Double.compare(x.qps(), y.qps()))
                .orElse(null);
        b[i] = top == null ? 0 : top.qps();
        cells[i] =
            top == null
                ? "not reached"
                : String.format(
                    Locale.ROOT,
                    "%,.0f (%s %d, recall %.4f)",
                    top.qps(),
                    top.searchParam(),
                    top.width(),
                    top.recall());
      }
      best.put(engine, b);
      Row any = mine.get(0);
      out.printf(
          Locale.ROOT,
          "| %s | %,.0f | %s | %s |%n",
          engine,
          any.vectors() / any.buildSeconds(),
          cells[0],
          cells[1]);
    }
    double[] lucene = best.get("lucene");
    if (lucene != null) {
      for (var e : best.entrySet()) {
        if (e.getKey().equals("lucene")) {
          continue;
        }
        String[] ratio = new String[RECALL_TARGETS.length];
        for (int i = 0; i < ratio.length; i++) {
          ratio[i] =
              e.getValue()[i] > 0 && lucene[i] > 0
                  ? String.format(Locale.ROOT, "%.2fx", e.getValue()[i] / lucene[i])
                  : "-";
        }
        Row ours = rows.stream().filter(r -> r.engine().equals(e.getKey())).findFirst().get();
        Row luc = rows.stream().filter(r -> r.engine().equals("lucene")).findFirst().get();
        out.printf(
            Locale.ROOT,
            "| %s/lucene | %.2fx | %s | %s |%n",
            e.getKey(),
            luc.buildSeconds() / ours.buildSeconds(),
            ratio[0],
            ratio[1]);
      }
    }
    if (!notes.isEmpty()) {
      out.println();
      for (String n : notes) {
        out.println("- note: " + n);
      }
    }
  }

  private static void printRow(PrintWriter out, Row r) {
    out.printf(
        Locale.ROOT,
        "| %s | %s | %.1f | %,.0f | %s=%d | %.4f | %,.0f | %,.0f |%n",
        r.engine(),
        r.buildParams(),
        r.buildSeconds(),
        r.vectors() / r.buildSeconds(),
        r.searchParam(),
        r.width(),
        r.recall(),
        r.qps(),
        r.qpsCpu());
    out.flush();
  }

  private static double median(double[] values) {
    double[] s = values.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
