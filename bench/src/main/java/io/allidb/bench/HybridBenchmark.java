package io.allidb.bench;

import io.allidb.api.proto.AlliDBGrpc;
import io.allidb.api.proto.BatchPutEntitiesRequest;
import io.allidb.api.proto.ConsistencyLevel;
import io.allidb.api.proto.Entity;
import io.allidb.api.proto.HybridMode;
import io.allidb.api.proto.QueryRequest;
import io.allidb.api.proto.TextChunk;
import io.allidb.api.proto.VectorEmbedding;
import io.allidb.dataplane.server.ApiKeyAuthInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench/run hybrid}: query latency of the hybrid modes (BM25 fused with the vector + graph
 * ranking) on one node and on a ring, in the same run, over the same data and the same queries. The
 * vector-only mode is measured beside them: the difference is what text retrieval costs (on a ring:
 * the two BM25 scatters, statistics then search, and the read of text-only hits).
 *
 * <p>Nodes are {@code allidb server} child JVMs on loopback ({@link BenchCluster}) with no
 * embedding provider: documents carry their vectors and queries their query vector, so embedding is
 * not measured. Texts are words of a synthetic vocabulary drawn with a skew (a few common, many
 * rare), so BM25's statistics matter. One client thread sends the queries one after another,
 * round-robin over the nodes, at ONE.
 */
@Command(
    name = "hybrid",
    mixinStandardHelpOptions = true,
    description =
        "Hybrid (BM25 + vector) query latency: one node vs a ring, same data and queries.")
public final class HybridBenchmark implements Callable<Integer> {
  static final String TENANT = "bench";
  static final String KEY = "key-h.hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh";
  private static final int VOCABULARY = 5000;

  @Spec CommandSpec spec;

  @Option(names = "--nodes", defaultValue = "3", description = "Ring size (default: 3).")
  int nodes;

  @Option(names = "--rf", defaultValue = "2", description = "Replication factor (default: 2).")
  int rf;

  @Option(names = "--docs", defaultValue = "20000", description = "Documents (default: 20000).")
  int docs;

  @Option(names = "--dim", defaultValue = "64", description = "Vector dimension (default: 64).")
  int dim;

  @Option(
      names = "--words",
      defaultValue = "40",
      description = "Mean words per document (default: 40).")
  int words;

  @Option(names = "--queries", defaultValue = "300", description = "Measured queries per mode.")
  int queries;

  @Option(names = "--warmup-queries", defaultValue = "50")
  int warmupQueries;

  @Option(names = "--k", defaultValue = "10")
  int k;

  @Option(names = "--seed", defaultValue = "42")
  long seed;

  @Option(names = "--node-heap", defaultValue = "1g", description = "Heap of each node JVM.")
  String nodeHeap;

  @Option(names = "--dir", description = "Parent of the run's data directories.")
  Path dir;

  /** One measured configuration and mode. */
  record Result(String setup, String mode, long queries, double p50Ms, double p99Ms, double qps) {}

  private final List<Result> results = new ArrayList<>();
  private int loadRetries;
  private int warmupFailures;

  List<Result> results() {
    return List.copyOf(results);
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Path root = BenchEnvironment.runDirectory(dir, "hybrid");
    List<String> args = spec.root().commandLine().getParseResult().originalArgs();
    BenchEnvironment.printHeader(out, "Hybrid query benchmark", args, root);
    out.printf(
        Locale.ROOT,
        "- data: %,d documents, %d-d random vectors, ~%d words each from a skewed %,d-word"
            + " vocabulary (seed %d); queries: 3 words + a random vector, k %d, expand factor 3,"
            + " at ONE; %d warm-up + %d measured per mode, one client thread, round-robin over"
            + " the nodes; nodes are child JVMs with -Xmx%s, no embedding provider%n%n",
        docs,
        dim,
        words,
        VOCABULARY,
        seed,
        k,
        warmupQueries,
        queries,
        nodeHeap);
    out.println("| setup | mode | queries | p50 ms | p99 ms | queries/s |");
    out.println("|---|---|--:|--:|--:|--:|");
    out.flush();
    try {
      Path keys = root.resolve("keys");
      Files.writeString(keys, KEY + " " + TENANT + "\n");
      var extra = List.of("--embedding-provider", "none");
      try (var single = BenchCluster.start(root.resolve("single"), 1, 1, keys, nodeHeap, extra)) {
        measureAll(out, "1 node", single.channels());
      }
      try (var ring = BenchCluster.start(root.resolve("ring"), nodes, rf, keys, nodeHeap, extra)) {
        measureAll(out, nodes + " nodes, RF " + rf, ring.channels());
      }
      out.printf(
          Locale.ROOT,
          "%nLoad batches retried after UNAVAILABLE: %d; failed warm-up queries: %d (neither is"
              + " measured)%n",
          loadRetries,
          warmupFailures);
    } finally {
      Dirs.deleteRecursively(root);
    }
    return 0;
  }

  private static AlliDBGrpc.AlliDBBlockingStub stub(ManagedChannel channel) {
    var md = new Metadata();
    md.put(ApiKeyAuthInterceptor.API_KEY, KEY);
    return AlliDBGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
  }

  private void measureAll(PrintWriter out, String setup, List<ManagedChannel> channels) {
    var stubs = channels.stream().map(HybridBenchmark::stub).toList();
    load(stubs);
    for (HybridMode mode :
        List.of(
            HybridMode.HYBRID_MODE_VECTOR_ONLY,
            HybridMode.HYBRID_MODE_RRF,
            HybridMode.HYBRID_MODE_WEIGHTED)) {
      Result r = measure(setup, mode, stubs);
      results.add(r);
      out.printf(
          Locale.ROOT,
          "| %s | %s | %d | %.2f | %.2f | %.0f |%n",
          r.setup(),
          r.mode(),
          r.queries(),
          r.p50Ms(),
          r.p99Ms(),
          r.qps());
      out.flush();
    }
  }

  /** The same documents for every setup (same seed), in batches of 100 at QUORUM. */
  private void load(List<AlliDBGrpc.AlliDBBlockingStub> stubs) {
    var rnd = new Random(seed);
    var batch = BatchPutEntitiesRequest.newBuilder();
    for (int i = 0; i < docs; i++) {
      String id = "d" + i;
      batch.addEntities(
          Entity.newBuilder()
              .setEntityId(id)
              .setEntityType("doc")
              .addEmbeddings(vector(rnd))
              .addChunks(
                  TextChunk.newBuilder()
                      .setChunkId(id + "#0")
                      .setText(text(rnd, words / 2 + rnd.nextInt(words + 1)))));
      if (batch.getEntitiesCount() == 100 || i == docs - 1) {
        var request = batch.setConsistencyLevel(ConsistencyLevel.CONSISTENCY_QUORUM).build();
        for (int attempt = 1; ; attempt++) {
          try {
            stubs
                .get(i % stubs.size())
                .withDeadlineAfter(120, TimeUnit.SECONDS)
                .batchPutEntities(request);
            break;
          } catch (StatusRuntimeException e) {
            // a loaded machine can miss the replicas' 2 s write timeout; upserts are idempotent
            if (attempt == 5 || e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
              throw e;
            }
            loadRetries++;
          }
        }
        batch = BatchPutEntitiesRequest.newBuilder();
      }
    }
  }

  private Result measure(String setup, HybridMode mode, List<AlliDBGrpc.AlliDBBlockingStub> stubs) {
    var rnd = new Random(seed + 1); // the same queries for every setup and mode
    var h = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    long measuredNanos = 0;
    for (int q = 0; q < warmupQueries + queries; q++) {
      var request =
          QueryRequest.newBuilder()
              .setK(k)
              .setExpandFactor(3)
              .setHybridMode(mode)
              .setConsistencyLevel(ConsistencyLevel.CONSISTENCY_ONE)
              .setOmitEntities(true);
      vector(rnd).getVectorList().forEach(request::addQueryVector);
      String text = text(rnd, 3);
      if (mode != HybridMode.HYBRID_MODE_VECTOR_ONLY) {
        request.setQueryText(text);
      }
      var built = request.build();
      long t0 = System.nanoTime();
      try {
        stubs.get(q % stubs.size()).withDeadlineAfter(60, TimeUnit.SECONDS).query(built);
      } catch (StatusRuntimeException e) {
        // the first text query after the bulk load refreshes every replica's Lucene reader (a
        // flush and merges), which a loaded machine can stretch past the 2 s replica timeout
        if (q >= warmupQueries) {
          throw e;
        }
        warmupFailures++;
        continue;
      }
      long took = System.nanoTime() - t0;
      if (q >= warmupQueries) {
        h.recordValue(Math.min(took, h.getHighestTrackableValue()));
        measuredNanos += took;
      }
    }
    return new Result(
        setup,
        mode.name().substring("HYBRID_MODE_".length()).toLowerCase(Locale.ROOT),
        h.getTotalCount(),
        h.getValueAtPercentile(50) / 1e6,
        h.getValueAtPercentile(99) / 1e6,
        measuredNanos == 0 ? 0 : queries / (measuredNanos / 1e9));
  }

  private VectorEmbedding vector(Random rnd) {
    var v = VectorEmbedding.newBuilder();
    for (int i = 0; i < dim; i++) {
      v.addVector((float) rnd.nextGaussian());
    }
    return v.build();
  }

  /** Words "w0".."w4999", skewed: w0 is common, the tail rare. */
  private static String text(Random rnd, int n) {
    var sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      int w = (int) (VOCABULARY * Math.pow(rnd.nextDouble(), 3));
      sb.append(i == 0 ? "" : " ").append('w').append(w);
    }
    return sb.toString();
  }
}
