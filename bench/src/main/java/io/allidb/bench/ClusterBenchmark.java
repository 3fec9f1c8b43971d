package io.allidb.bench;

import io.allidb.api.proto.AlliDBGrpc;
import io.allidb.api.proto.BatchPutEntitiesRequest;
import io.allidb.api.proto.ConsistencyLevel;
import io.allidb.api.proto.Entity;
import io.allidb.api.proto.TextChunk;
import io.allidb.dataplane.server.ApiKeyAuthInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench/run cluster}: client write throughput of a three-node cluster (RF 3, QUORUM, batched
 * {@code BatchPutEntities}) against one node (RF 1) under the same client load, in the same run.
 * Every node is an {@code allidb server} child JVM on loopback with the default durability (WAL
 * group commit with fsync); the clients run in this JVM and spread their calls over the nodes
 * (client {@code c} talks to node {@code c % nodes}), so every node also coordinates.
 */
@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    description = "Batched QUORUM writes to a 3-node RF 3 cluster vs one node, same client load.")
public final class ClusterBenchmark implements Callable<Integer> {
  static final String TENANT = "bench";
  static final String KEY = "key-b.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

  @Spec CommandSpec spec;

  @Option(names = "--nodes", defaultValue = "3", description = "Cluster size (default: 3).")
  int nodes;

  @Option(names = "--rf", defaultValue = "3", description = "Replication factor (default: 3).")
  int rf;

  @Option(names = "--clients", defaultValue = "16", description = "Client threads (default: 16).")
  int clients;

  @Option(names = "--batch", defaultValue = "50", description = "Rows per call (default: 50).")
  int batch;

  @Option(
      names = "--row-bytes",
      defaultValue = "1000",
      description = "Text bytes per row (default: 1000, ~1 KiB rows like the write benchmark).")
  int rowBytes;

  @Option(names = "--duration-seconds", defaultValue = "10")
  double durationSeconds;

  @Option(names = "--warmup-seconds", defaultValue = "5")
  double warmupSeconds;

  @Option(
      names = "--node-heap",
      defaultValue = "1g",
      description = "Heap of each node JVM (default: 1g; four JVMs share the machine).")
  String nodeHeap;

  @Option(names = "--skip-single", description = "Do not run the single-node comparison.")
  boolean skipSingle;

  @Option(names = "--dir", description = "Parent of the run's data directories.")
  Path dir;

  /** One measured configuration. */
  record Result(
      String setup, long rows, double rowsPerSecond, double p50Ms, double p99Ms, long failed) {}

  private final List<Result> results = new ArrayList<>();

  List<Result> results() {
    return List.copyOf(results);
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Path root = BenchEnvironment.runDirectory(dir, "cluster");
    List<String> args = spec.root().commandLine().getParseResult().originalArgs();
    BenchEnvironment.printHeader(out, "Cluster write benchmark", args, root);
    out.printf(
        Locale.ROOT,
        "- load: %d client threads in the benchmark JVM, BatchPutEntities of %d rows (%d B of text"
            + " each) at QUORUM, %.0f s warm-up + %.0f s measured; nodes are child JVMs with"
            + " -Xmx%s, WAL fsync group commit (default durability), loopback gRPC%n%n",
        clients,
        batch,
        rowBytes,
        warmupSeconds,
        durationSeconds,
        nodeHeap);
    out.println(
        "| setup | rows | client rows/s | p50 ms / batch | p99 ms / batch | failed calls |");
    out.println("|---|--:|--:|--:|--:|--:|");
    out.flush();
    try {
      Files.writeString(root.resolve("keys"), KEY + " " + TENANT + "\n");
      if (!skipSingle) {
        report(out, run(root.resolve("single"), 1, 1, "1 node, RF 1"));
      }
      report(out, run(root.resolve("cluster"), nodes, rf, nodes + " nodes, RF " + rf + ", QUORUM"));
    } finally {
      Dirs.deleteRecursively(root);
    }
    return 0;
  }

  private Result run(Path dir, int size, int replication, String setup) throws Exception {
    try (var cluster =
        BenchCluster.start(
            dir, size, replication, dir.getParent().resolve("keys"), nodeHeap, List.of())) {
      return measure(setup, cluster.channels());
    }
  }

  private Result measure(String setup, List<ManagedChannel> channels) throws InterruptedException {
    long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
    long end = warmupEnd + (long) (durationSeconds * 1e9);
    var histograms = new ArrayList<Histogram>();
    var failed = new AtomicLong();
    var start = new CountDownLatch(1);
    var threads = new ArrayList<Thread>();
    String text = "x".repeat(rowBytes);
    for (int c = 0; c < clients; c++) {
      var h = new Histogram(TimeUnit.SECONDS.toNanos(30), 3);
      histograms.add(h);
      var md = new Metadata();
      md.put(ApiKeyAuthInterceptor.API_KEY, KEY);
      var stub =
          AlliDBGrpc.newBlockingStub(channels.get(c % channels.size()))
              .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
      int client = c;
      Thread t =
          new Thread(
              () -> {
                long seq = 0;
                try {
                  start.await();
                } catch (InterruptedException e) {
                  return;
                }
                while (true) {
                  var request =
                      BatchPutEntitiesRequest.newBuilder()
                          .setConsistencyLevel(ConsistencyLevel.CONSISTENCY_QUORUM);
                  for (int r = 0; r < batch; r++) {
                    String id = "c" + client + "-" + seq++;
                    request.addEntities(
                        Entity.newBuilder()
                            .setEntityId(id)
                            .setEntityType("doc")
                            .addChunks(TextChunk.newBuilder().setChunkId(id + "#0").setText(text)));
                  }
                  var built = request.build();
                  long t0 = System.nanoTime();
                  if (t0 >= end) {
                    return;
                  }
                  try {
                    stub.withDeadlineAfter(30, TimeUnit.SECONDS).batchPutEntities(built);
                    long t1 = System.nanoTime();
                    if (t0 >= warmupEnd && t1 <= end) {
                      h.recordValue(Math.min(t1 - t0, h.getHighestTrackableValue()));
                    }
                  } catch (RuntimeException e) {
                    failed.incrementAndGet();
                  }
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
    var total = new Histogram(TimeUnit.SECONDS.toNanos(30), 3);
    histograms.forEach(total::add);
    long rows = total.getTotalCount() * batch;
    return new Result(
        setup,
        rows,
        rows / durationSeconds,
        total.getValueAtPercentile(50) / 1e6,
        total.getValueAtPercentile(99) / 1e6,
        failed.get());
  }

  private void report(PrintWriter out, Result r) {
    results.add(r);
    out.printf(
        Locale.ROOT,
        "| %s | %,d | %,.0f | %.1f | %.1f | %d |%n",
        r.setup(),
        r.rows(),
        r.rowsPerSecond(),
        r.p50Ms(),
        r.p99Ms(),
        r.failed());
    out.flush();
  }
}
