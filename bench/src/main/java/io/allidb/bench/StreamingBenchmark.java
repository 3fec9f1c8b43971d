package io.allidb.bench;

import io.allidb.api.admin.DecommissionReply;
import io.allidb.api.admin.DecommissionRequest;
import io.allidb.api.admin.DecommissionStatusRequest;
import io.allidb.api.admin.FlushRequest;
import io.allidb.api.admin.NodeAdminGrpc;
import io.allidb.api.admin.RepairReport;
import io.allidb.api.admin.RepairStatusRequest;
import io.allidb.api.admin.StartRepairRequest;
import io.allidb.api.proto.AlliDBGrpc;
import io.allidb.api.proto.BatchPutEntitiesRequest;
import io.allidb.api.proto.ConsistencyLevel;
import io.allidb.api.proto.Entity;
import io.allidb.api.proto.PutEntityRequest;
import io.allidb.api.proto.TextChunk;
import io.allidb.dataplane.security.KeySetFormat;
import io.allidb.dataplane.security.Scope;
import io.allidb.dataplane.server.ApiKeyAuthInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench/run streaming}: how fast a ring change moves data and what repair costs a client.
 * Three {@code allidb server} child JVMs (RF 2, loopback, default durability) are loaded with
 * {@code --rows} rows and flushed; then
 *
 * <ol>
 *   <li>n3 decommissions: the streaming phase (after the settle delay, from the first streamed
 *       range to LEFT, polled through the admin API) gives MB/s and rows/s. The peer figure is a
 *       plain copy (transferTo + fsync) of a file of the same byte count on the same disk: the
 *       bound for moving those bytes.
 *   <li>On the two remaining nodes, closed-loop clients write single rows at QUORUM for {@code
 *       --phase-seconds} with no repair (the peer: the baseline latency), then with a repair from
 *       n1 running back to back at each {@code --intensities}; each phase reports the client
 *       p50/p99 and the repair's rows compared per second.
 * </ol>
 */
@Command(
    name = "streaming",
    mixinStandardHelpOptions = true,
    description =
        "Decommission streaming MB/s and rows/s vs a file copy; QUORUM write latency under repair"
            + " at each intensity vs no repair.")
public final class StreamingBenchmark implements Callable<Integer> {
  private static final String TENANT = "bench";
  private static final String KEY = "key-b.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
  private static final String ADMIN_KEY = "key-a.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

  @Spec CommandSpec spec;

  @Option(names = "--rows", defaultValue = "40000", description = "Rows loaded (default: 40000).")
  int rows;

  @Option(names = "--row-bytes", defaultValue = "1000", description = "Text bytes per row.")
  int rowBytes;

  @Option(names = "--clients", defaultValue = "4", description = "Latency clients (default: 4).")
  int clients;

  @Option(names = "--phase-seconds", defaultValue = "15")
  double phaseSeconds;

  @Option(
      names = "--intensities",
      split = ",",
      defaultValue = "0.25,0.5,1.0",
      description = "Repair intensities to measure (default: 0.25,0.5,1.0).")
  List<Double> intensities;

  @Option(names = "--node-heap", defaultValue = "1g")
  String nodeHeap;

  @Option(names = "--dir", description = "Parent of the run's data directories.")
  Path dir;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Path root = BenchEnvironment.runDirectory(dir, "streaming");
    List<String> args = spec.root().commandLine().getParseResult().originalArgs();
    BenchEnvironment.printHeader(out, "Streaming and repair benchmark", args, root);
    out.printf(
        Locale.ROOT,
        "- cluster: 3 child JVMs (-Xmx%s), RF 2, one rack each, loopback, WAL fsync group commit;"
            + " %,d rows of %d B text loaded at QUORUM and flushed%n%n",
        nodeHeap,
        rows,
        rowBytes);
    out.flush();
    var nodes = new ArrayList<BenchNode>();
    var channels = new ArrayList<ManagedChannel>();
    try {
      Files.writeString(
          root.resolve("keys"),
          KeySetFormat.format(
                  KeySetFormat.entryFor(
                      KEY, TENANT, EnumSet.of(Scope.READ, Scope.WRITE), null, null))
              + "\n"
              + KeySetFormat.format(
                  KeySetFormat.entryFor(ADMIN_KEY, "_admin", EnumSet.of(Scope.ADMIN), null, null))
              + "\n");
      int seedPort = BenchNode.freePort();
      for (int i = 0; i < 3; i++) {
        var node = startNode(root, i, i == 0 ? seedPort : BenchNode.freePort(), seedPort);
        nodes.add(node);
        channels.add(
            NettyChannelBuilder.forAddress("127.0.0.1", node.grpcPort()).usePlaintext().build());
      }
      load(channels);
      for (ManagedChannel c : channels) {
        admin(c, 300).flush(FlushRequest.getDefaultInstance());
      }
      streaming(out, root, channels.get(2));
      nodes.remove(2).close();
      channels.remove(2).shutdownNow();
      repairLatency(out, channels);
    } finally {
      channels.forEach(ManagedChannel::shutdownNow);
      for (BenchNode n : nodes) {
        n.close();
      }
      Dirs.deleteRecursively(root);
    }
    return 0;
  }

  private BenchNode startNode(Path root, int i, int internode, int seedPort) throws Exception {
    String host = "n" + (i + 1);
    // size 3 for the cluster options: this benchmark's ring, whichever node is started
    var a = BenchCluster.nodeArgs(root, i, 3, 2, internode, seedPort, root.resolve("keys"));
    var node = new BenchNode(host, a, root.resolve(host + ".log"), nodeHeap);
    node.start(Duration.ofSeconds(180));
    return node;
  }

  private static <S extends AbstractStub<S>> S withKey(S stub, String key) {
    var md = new Metadata();
    md.put(ApiKeyAuthInterceptor.API_KEY, key);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
  }

  private static NodeAdminGrpc.NodeAdminBlockingStub admin(ManagedChannel c, long seconds) {
    return withKey(NodeAdminGrpc.newBlockingStub(c), ADMIN_KEY)
        .withDeadlineAfter(seconds, TimeUnit.SECONDS);
  }

  private Entity row(String id, String text) {
    return Entity.newBuilder()
        .setEntityId(id)
        .setEntityType("doc")
        .addChunks(TextChunk.newBuilder().setChunkId(id + "#0").setText(text))
        .build();
  }

  /**
   * Loads the rows in batches; a batch that fails (a replica call timing out on a loaded machine)
   * is sent again, up to five times: the writes are idempotent (same ids, same values).
   */
  private void load(List<ManagedChannel> channels) throws InterruptedException {
    String text = "x".repeat(rowBytes);
    int batch = 50;
    for (int start = 0; start < rows; start += batch) {
      var request =
          BatchPutEntitiesRequest.newBuilder()
              .setConsistencyLevel(ConsistencyLevel.CONSISTENCY_QUORUM);
      for (int r = start; r < Math.min(rows, start + batch); r++) {
        request.addEntities(row("r" + r, text));
      }
      var stub =
          withKey(AlliDBGrpc.newBlockingStub(channels.get((start / batch) % channels.size())), KEY);
      for (int attempt = 1; ; attempt++) {
        try {
          stub.withDeadlineAfter(60, TimeUnit.SECONDS).batchPutEntities(request.build());
          break;
        } catch (StatusRuntimeException e) {
          if (attempt == 5) {
            throw e;
          }
          Thread.sleep(500L * attempt);
        }
      }
    }
  }

  /** Decommissions the node behind {@code leaving} and times its streaming phase. */
  private void streaming(PrintWriter out, Path root, ManagedChannel leaving) throws Exception {
    admin(leaving, 30).decommission(DecommissionRequest.getDefaultInstance());
    long streamingSince = 0;
    DecommissionReply status;
    while (true) {
      status =
          admin(leaving, 30).decommissionStatus(DecommissionStatusRequest.getDefaultInstance());
      long now = System.nanoTime();
      if (streamingSince == 0 && status.getRangesTotal() > 0) {
        streamingSince = now; // the plan exists: the settle delay is over
      }
      if (status.getPhase() != DecommissionReply.Phase.STREAMING) {
        break;
      }
      Thread.sleep(20);
    }
    long nanos = System.nanoTime() - streamingSince;
    if (status.getPhase() != DecommissionReply.Phase.COMPLETED) {
      throw new IllegalStateException("decommission ended " + status);
    }
    double seconds = nanos / 1e9;
    double mib = status.getBytesStreamed() / (1024.0 * 1024.0);
    double copySeconds = copySeconds(root, status.getBytesStreamed());
    out.println("| transfer | rows | MiB | seconds | MiB/s | rows/s |");
    out.println("|---|--:|--:|--:|--:|--:|");
    out.printf(
        Locale.ROOT,
        "| decommission n3 (%d ranges) | %,d | %.1f | %.2f | %.1f | %,.0f |%n",
        status.getRangesTotal(),
        status.getRowsStreamed(),
        mib,
        seconds,
        mib / seconds,
        status.getRowsStreamed() / seconds);
    out.printf(
        Locale.ROOT,
        "| peer: file copy + fsync, same bytes | - | %.1f | %.2f | %.1f | - |%n%n",
        mib,
        copySeconds,
        mib / copySeconds);
    out.flush();
  }

  /** Writes a file of {@code bytes} random bytes, then times copying it (transferTo + fsync). */
  private static double copySeconds(Path root, long bytes) throws Exception {
    Path src = root.resolve("copy-src");
    Path dst = root.resolve("copy-dst");
    var random = new Random(42);
    var buf = ByteBuffer.allocate(1 << 20);
    try (var ch = FileChannel.open(src, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      for (long done = 0; done < bytes; ) {
        random.nextBytes(buf.array());
        buf.clear().limit((int) Math.min(buf.capacity(), bytes - done));
        done += ch.write(buf);
      }
      ch.force(true);
    }
    long t0 = System.nanoTime();
    try (var in = FileChannel.open(src, StandardOpenOption.READ);
        var outCh =
            FileChannel.open(dst, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      for (long pos = 0; pos < bytes; ) {
        pos += in.transferTo(pos, bytes - pos, outCh);
      }
      outCh.force(true);
    }
    double s = (System.nanoTime() - t0) / 1e9;
    Files.delete(src);
    Files.delete(dst);
    return s;
  }

  /** Client QUORUM write latency with no repair, then under back-to-back repairs. */
  private void repairLatency(PrintWriter out, List<ManagedChannel> channels) throws Exception {
    out.printf(
        Locale.ROOT,
        "%d closed-loop clients writing one %d B row per call at QUORUM to n1/n2 (RF 2),"
            + " %.0f s per phase; repairs run back to back from n1 (each compares every range"
            + " n1 replicates with n2, %,d rows per replica)%n%n",
        clients,
        rowBytes,
        phaseSeconds,
        rows);
    out.println(
        "| phase | client writes/s | p50 ms | p99 ms | repairs done | repair s (median) |"
            + " repair rows/s | rows repaired |");
    out.println("|---|--:|--:|--:|--:|--:|--:|--:|");
    out.flush();
    phase(out, channels, "peer: no repair", 0);
    for (double intensity : intensities) {
      phase(out, channels, "repair intensity " + intensity, intensity);
    }
  }

  private void phase(PrintWriter out, List<ManagedChannel> channels, String name, double intensity)
      throws Exception {
    var h = new Histogram(TimeUnit.SECONDS.toNanos(30), 3);
    var stop = new AtomicBoolean();
    var failed = new AtomicLong();
    String text = "y".repeat(rowBytes);
    var threads = new ArrayList<Thread>();
    for (int c = 0; c < clients; c++) {
      var stub = withKey(AlliDBGrpc.newBlockingStub(channels.get(c % channels.size())), KEY);
      int client = c;
      Thread t =
          new Thread(
              () -> {
                for (long seq = 0; !stop.get(); seq++) {
                  var req =
                      PutEntityRequest.newBuilder()
                          .setConsistencyLevel(ConsistencyLevel.CONSISTENCY_QUORUM)
                          .setEntity(row(name.hashCode() + "-" + client + "-" + seq, text))
                          .build();
                  long t0 = System.nanoTime();
                  try {
                    stub.withDeadlineAfter(30, TimeUnit.SECONDS).putEntity(req);
                    long d = System.nanoTime() - t0;
                    synchronized (h) {
                      h.recordValue(Math.min(d, h.getHighestTrackableValue()));
                    }
                  } catch (RuntimeException e) {
                    failed.incrementAndGet();
                  }
                }
              },
              "bench-client-" + c);
      threads.add(t);
    }
    long start = System.nanoTime();
    threads.forEach(Thread::start);
    long end = start + (long) (phaseSeconds * 1e9);
    var repairSeconds = new ArrayList<Double>();
    long repaired = 0;
    while (System.nanoTime() < end) {
      if (intensity == 0) {
        Thread.sleep(100);
        continue;
      }
      RepairReport r =
          admin(channels.get(0), 30)
              .startRepair(StartRepairRequest.newBuilder().setIntensity(intensity).build());
      while (r.getState() == RepairReport.State.RUNNING) {
        Thread.sleep(50);
        r =
            admin(channels.get(0), 30)
                .repairStatus(
                    RepairStatusRequest.newBuilder().setRepairId(r.getRepairId()).build());
      }
      if (r.getState() != RepairReport.State.COMPLETED) {
        throw new IllegalStateException("repair ended " + r);
      }
      repairSeconds.add((r.getFinishedAtMillis() - r.getStartedAtMillis()) / 1000.0);
      repaired += r.getRowsRepaired();
    }
    stop.set(true);
    for (Thread t : threads) {
      t.join(60_000);
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    repairSeconds.sort(null);
    double median = repairSeconds.isEmpty() ? 0 : repairSeconds.get(repairSeconds.size() / 2);
    out.printf(
        Locale.ROOT,
        "| %s | %,.0f | %.1f | %.1f | %d | %s | %s | %d |%n",
        name,
        h.getTotalCount() / elapsed,
        h.getValueAtPercentile(50) / 1e6,
        h.getValueAtPercentile(99) / 1e6,
        repairSeconds.size(),
        median == 0 ? "-" : String.format(Locale.ROOT, "%.2f", median),
        median == 0 ? "-" : String.format(Locale.ROOT, "%,.0f", rows / median),
        repaired);
    if (failed.get() > 0) {
      out.printf(Locale.ROOT, "  (%d client calls failed)%n", failed.get());
    }
    out.flush();
  }
}
