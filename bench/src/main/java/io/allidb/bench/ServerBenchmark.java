package io.allidb.bench;

import io.allidb.api.proto.AlliDBGrpc;
import io.allidb.api.proto.BatchPutEntitiesRequest;
import io.allidb.api.proto.BatchPutEntitiesResponse;
import io.allidb.api.proto.Entity;
import io.allidb.api.proto.GraphEdge;
import io.allidb.api.proto.QueryRequest;
import io.allidb.api.proto.QueryResponse;
import io.allidb.api.proto.QueryResult;
import io.allidb.api.proto.ScoreWeights;
import io.allidb.api.proto.VectorEmbedding;
import io.allidb.dataplane.server.ApiKeyAuthInterceptor;
import io.allidb.dataplane.server.DataplaneServer;
import io.allidb.dataplane.server.NodeConfig;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * End-to-end query latency and throughput of a real {@link DataplaneServer} over gRPC on loopback:
 * the Netty transport, API-key auth, the Graph RAG executor, storage reads and the jvector index,
 * with the client in the same JVM on the same cores (so client CPU is charged to the result, as it
 * would be for a co-located application).
 *
 * <p>Plain ANN is not a separate RPC: {@code Query} always runs the Graph RAG pipeline. The
 * "vector" workload makes it as close to plain top-k as the API allows: {@code expand_factor=1} (k
 * seeds), {@code max_hops=1} through a relation no edge has (so expansion finds nothing but still
 * costs its per-seed adjacency lookups), weights vector=1 and the rest 0 (so the order is the
 * cosine order and recall against brute force is meaningful), {@code omit_entities=true}.
 */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    description = "Loopback gRPC query latency/QPS of an in-process DataplaneServer.")
public final class ServerBenchmark implements Callable<Integer> {

  static final String TENANT = "bench";
  static final String KEY = "benchkey.bench-secret-0123456789";
  static final String[] RELATIONS = {"cites", "mentions", "authored_by"};
  static final String NO_RELATION = "bench-no-such-relation";

  /** Vector source. */
  public enum Vectors {
    RANDOM,
    FASHION
  }

  /** One measured workload. */
  public record Row(
      String workload,
      int clients,
      long calls,
      double qps,
      double p50Ms,
      double p99Ms,
      double p999Ms,
      double recall) {}

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--entities", defaultValue = "20000", description = "Entities (default 20000).")
  int entities;

  @Option(
      names = "--vectors",
      defaultValue = "random",
      description = "random (128-d unit vectors) or fashion (Fashion-MNIST subset, 784-d).")
  Vectors vectors;

  @Option(names = "--dim", defaultValue = "128", description = "Dimension of random vectors.")
  int dim;

  @Option(names = "--queries", defaultValue = "1000", description = "Distinct query vectors.")
  int queryCount;

  @Option(names = "--clients", defaultValue = "16", description = "Concurrent clients (16).")
  int clients;

  @Option(names = "--ef", defaultValue = "0", description = "ANN beam; 0 = server default (100).")
  int ef;

  @Option(names = "--duration-seconds", defaultValue = "10", description = "Per workload.")
  double durationSeconds;

  @Option(names = "--warmup-seconds", defaultValue = "3", description = "Untimed, per workload.")
  double warmupSeconds;

  @Option(names = "--batch", defaultValue = "200", description = "Entities per load RPC.")
  int batch;

  @Option(names = "--seed", defaultValue = "42", description = "Data seed.")
  long seed;

  @Option(
      names = "--with-entities",
      description = "Graph RAG results carry full entities (default: ids, scores, breakdowns).")
  boolean withEntities;

  @Option(names = "--dir", description = "Parent of the temp data dir (default bench/target).")
  Path dir;

  private final List<Row> rows = new ArrayList<>();

  /** Rows of the last {@link #call()}. */
  public List<Row> rows() {
    return List.copyOf(rows);
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    rows.clear();
    Path root = BenchEnvironment.runDirectory(dir, "server");
    try {
      float[][] base;
      float[][] queries;
      String source;
      if (vectors == Vectors.FASHION) {
        base =
            AnnDataset.readIdxImages(
                AnnDataset.DEBIAN_FASHION_MNIST.resolve("train-images-idx3-ubyte.gz"), entities);
        queries =
            AnnDataset.readIdxImages(
                AnnDataset.DEBIAN_FASHION_MNIST.resolve("t10k-images-idx3-ubyte.gz"), queryCount);
        source = "Fashion-MNIST train[0.." + base.length + ") / test queries, 784-d";
      } else {
        Random rnd = new Random(seed);
        base = randomUnit(rnd, entities, dim);
        queries = randomUnit(rnd, queryCount, dim);
        source = "random unit vectors, " + dim + "-d";
      }
      // The server ranks by cosine: ground truth is L2 over normalised copies.
      int[][] truth = AnnDataset.exactTopK(normalised(base), normalised(queries), 10);

      Path keyFile = root.resolve("api-keys");
      Files.writeString(keyFile, KEY + " " + TENANT + "\n");
      NodeConfig config =
          NodeConfig.builder(root.resolve("node"))
              .bindAddress("127.0.0.1")
              .grpcPort(0)
              .httpPort(-1)
              .apiKeyFile(keyFile)
              .vectorDimension(base[0].length)
              .build();
      List<String> args = spec.root().commandLine().getParseResult().originalArgs();
      BenchEnvironment.printHeader(out, "Server query benchmark", args, root);
      try (DataplaneServer server = new DataplaneServer(DataplaneServer.forNetty(config), config)) {
        server.start();
        ManagedChannel channel =
            NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        try {
          Metadata md = new Metadata();
          md.put(ApiKeyAuthInterceptor.API_KEY, KEY);
          var stub =
              AlliDBGrpc.newBlockingStub(channel)
                  .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
          err.printf(Locale.ROOT, "loading %d entities...%n", base.length);
          err.flush();
          long l0 = System.nanoTime();
          load(stub, base);
          double loadSeconds = (System.nanoTime() - l0) / 1e9;
          out.printf(
              Locale.ROOT,
              "- data: %d entities (%s), 3-5 outgoing edges each (%s, weights 0.1-1),"
                  + " loaded in %.1f s (%,.0f entities/s, batches of %d, 4 in flight)%n",
              base.length,
              source,
              String.join("/", RELATIONS),
              loadSeconds,
              base.length / loadSeconds,
              batch);
          out.printf(
              Locale.ROOT,
              "- vector query: k=10, expand_factor=1, max_hops=1 via relation '%s' (no edges),"
                  + " weights vector=1 others 0, omit_entities, ef=%s%n",
              NO_RELATION,
              ef == 0 ? "server default (100)" : Integer.toString(ef));
          out.printf(
              Locale.ROOT,
              "- graph RAG query: k=10, expand_factor default (2), max_hops=2, fan-out 10,"
                  + " relations cites+mentions, default weights, %s%n",
              withEntities ? "full entities" : "omit_entities");
          out.printf(
              Locale.ROOT,
              "- client and server in one JVM on the same cores; one channel; %.0f s warm-up"
                  + " + %.0f s measured per row%n%n",
              warmupSeconds,
              durationSeconds);
          out.println(
              "| workload | clients | calls | QPS | p50 ms | p99 ms | p99.9 ms | recall@10 |");
          out.println("|---|--:|--:|--:|--:|--:|--:|--:|");
          out.flush();

          List<QueryRequest> vectorQueries = new ArrayList<>();
          List<QueryRequest> ragQueries = new ArrayList<>();
          for (float[] q : queries) {
            vectorQueries.add(vectorQuery(q));
            ragQueries.add(ragQuery(q));
          }
          double recall = recall(stub, vectorQueries, truth);
          report(out, measure("vector top-10", stub, vectorQueries, 1), recall);
          report(out, measure("vector top-10", stub, vectorQueries, clients), recall);
          report(out, measure("graph RAG 2-hop", stub, ragQueries, 1), Double.NaN);
          report(out, measure("graph RAG 2-hop", stub, ragQueries, clients), Double.NaN);
        } finally {
          channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
      }
    } finally {
      Dirs.deleteRecursively(root);
    }
    return 0;
  }

  private void load(AlliDBGrpc.AlliDBBlockingStub stub, float[][] base) throws Exception {
    Random rnd = new Random(seed + 1);
    List<BatchPutEntitiesRequest> batches = new ArrayList<>();
    var b = BatchPutEntitiesRequest.newBuilder();
    for (int i = 0; i < base.length; i++) {
      var e =
          Entity.newBuilder()
              .setEntityId(id(i))
              .setEntityType("doc")
              .setImportance(rnd.nextDouble())
              .addEmbeddings(VectorEmbedding.newBuilder().addAllVector(boxed(base[i])));
      int edges = 3 + rnd.nextInt(3);
      for (int j = 0; j < edges; j++) {
        int to = rnd.nextInt(base.length - 1);
        e.addOutgoingEdges(
            GraphEdge.newBuilder()
                .setFromEntity(id(i))
                .setToEntity(id(to >= i ? to + 1 : to))
                .setRelation(RELATIONS[rnd.nextInt(RELATIONS.length)])
                .setWeight(0.1 + 0.9 * rnd.nextDouble()));
      }
      b.addEntities(e);
      if (b.getEntitiesCount() == batch || i == base.length - 1) {
        batches.add(b.build());
        b = BatchPutEntitiesRequest.newBuilder();
      }
    }
    // A few batches in flight: the index insert is synchronous, so one at a time would leave a
    // core idle.
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<BatchPutEntitiesResponse>> futures = new ArrayList<>();
      for (BatchPutEntitiesRequest r : batches) {
        futures.add(
            pool.submit(() -> stub.withDeadlineAfter(10, TimeUnit.MINUTES).batchPutEntities(r)));
      }
      for (Future<BatchPutEntitiesResponse> f : futures) {
        BatchPutEntitiesResponse resp = f.get();
        if (!resp.getSuccess() || resp.getFailureCount() > 0) {
          throw new IllegalStateException("load failed: " + resp.getErrorMessage());
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private QueryRequest vectorQuery(float[] q) {
    return QueryRequest.newBuilder()
        .addAllQueryVector(boxed(q))
        .setK(10)
        .setExpandFactor(1)
        .setMaxHops(1)
        .addRelationTypes(NO_RELATION)
        .setWeights(
            ScoreWeights.newBuilder().setVector(1).setGraph(0).setImportance(0).setRecency(0))
        .setOmitEntities(true)
        .setEf(ef)
        .build();
  }

  private QueryRequest ragQuery(float[] q) {
    return QueryRequest.newBuilder()
        .addAllQueryVector(boxed(q))
        .setK(10)
        .setMaxHops(2)
        .setMaxFanoutPerHop(10)
        .addRelationTypes("cites")
        .addRelationTypes("mentions")
        .setOmitEntities(!withEntities)
        .setEf(ef)
        .build();
  }

  private static double recall(
      AlliDBGrpc.AlliDBBlockingStub stub, List<QueryRequest> queries, int[][] truth) {
    int[][] results = new int[queries.size()][];
    for (int i = 0; i < results.length; i++) {
      QueryResponse r = stub.query(queries.get(i));
      results[i] =
          r.getResultsList().stream()
              .map(QueryResult::getEntityId)
              .mapToInt(s -> Integer.parseInt(s.substring(1)))
              .toArray();
    }
    return AnnDataset.recall(results, truth, 10);
  }

  /** Clients loop over the queries from different offsets; latencies after warm-up only. */
  private Row measure(
      String workload,
      AlliDBGrpc.AlliDBBlockingStub stub,
      List<QueryRequest> queries,
      int clientCount)
      throws Exception {
    long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
    long end = warmupEnd + (long) (durationSeconds * 1e9);
    Histogram total = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    AtomicInteger failures = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    List<Histogram> histograms = new ArrayList<>();
    for (int c = 0; c < clientCount; c++) {
      Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
      histograms.add(h);
      int offset = c * (queries.size() / Math.max(1, clientCount));
      Thread t =
          new Thread(
              () -> {
                try {
                  start.await();
                  int i = offset;
                  while (true) {
                    long t0 = System.nanoTime();
                    if (t0 >= end) {
                      break;
                    }
                    stub.query(queries.get(i++ % queries.size()));
                    long t1 = System.nanoTime();
                    if (t0 >= warmupEnd) {
                      h.recordValue(Math.min(t1 - t0, h.getHighestTrackableValue()));
                    }
                  }
                } catch (Exception e) {
                  failures.incrementAndGet();
                  throw new IllegalStateException(e);
                }
              },
              "bench-client-" + c);
      threads.add(t);
      t.start();
    }
    start.countDown();
    for (Thread t : threads) {
      t.join();
    }
    if (failures.get() > 0) {
      throw new IllegalStateException(failures.get() + " client(s) failed");
    }
    histograms.forEach(total::add);
    long calls = total.getTotalCount();
    return new Row(
        workload,
        clientCount,
        calls,
        calls / durationSeconds,
        total.getValueAtPercentile(50) / 1e6,
        total.getValueAtPercentile(99) / 1e6,
        total.getValueAtPercentile(99.9) / 1e6,
        Double.NaN);
  }

  private void report(PrintWriter out, Row measured, double recall) {
    Row r =
        new Row(
            measured.workload(),
            measured.clients(),
            measured.calls(),
            measured.qps(),
            measured.p50Ms(),
            measured.p99Ms(),
            measured.p999Ms(),
            recall);
    rows.add(r);
    out.printf(
        Locale.ROOT,
        "| %s | %d | %,d | %,.0f | %.3f | %.3f | %.3f | %s |%n",
        r.workload(),
        r.clients(),
        r.calls(),
        r.qps(),
        r.p50Ms(),
        r.p99Ms(),
        r.p999Ms(),
        Double.isNaN(r.recall()) ? "-" : String.format(Locale.ROOT, "%.4f", r.recall()));
    out.flush();
  }

  private static String id(int i) {
    return "e" + i;
  }

  private static float[][] randomUnit(Random rnd, int n, int dim) {
    float[][] out = new float[n][dim];
    for (float[] v : out) {
      for (int d = 0; d < dim; d++) {
        v[d] = (float) rnd.nextGaussian();
      }
    }
    return normalised(out);
  }

  private static float[][] normalised(float[][] in) {
    float[][] out = new float[in.length][];
    for (int i = 0; i < in.length; i++) {
      double norm = 0;
      for (float x : in[i]) {
        norm += x * x;
      }
      float inv = norm == 0 ? 0 : (float) (1 / Math.sqrt(norm));
      out[i] = new float[in[i].length];
      for (int d = 0; d < out[i].length; d++) {
        out[i][d] = in[i][d] * inv;
      }
    }
    return out;
  }

  private static List<Float> boxed(float[] v) {
    List<Float> out = new ArrayList<>(v.length);
    for (float x : v) {
      out.add(x);
    }
    return out;
  }
}
