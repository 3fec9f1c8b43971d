package io.allidb.dataplane.testing;

import io.allidb.api.proto.AlliDBGrpc;
import io.allidb.dataplane.server.ApiKeyAuthInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.Awaitility;

/**
 * A cluster of {@code allidb server} child JVMs ({@link NodeProcess}) on loopback, gossiping for
 * real: node {@code n1} starts the cluster ({@code --initial-node}), the others join through it one
 * at a time, each once {@code n1}'s ring shows the previous one. Every node keeps its ports and
 * data directory across restarts; all share one API key file. Node {@code i} is host {@code n(i+1)}
 * on rack {@code rack-(i % racks)}.
 *
 * <p>Not thread-safe except {@link #stub} and {@link #metric}, which any thread may call.
 */
public final class ProcessCluster implements AutoCloseable {
  public static final String TENANT = "acme";
  public static final String KEY = "key-c.cccccccccccccccccccccccccccccccc";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final Path root;
  private final List<NodeProcess> nodes = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final List<Integer> httpPorts = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private ProcessCluster(Path root) {
    this.root = root;
  }

  /**
   * Starts {@code size} nodes.
   *
   * @param extraArgs more {@code server} arguments for every node (e.g. a hint replay interval)
   */
  public static ProcessCluster start(Path root, int size, int rf, int racks, List<String> extraArgs)
      throws Exception {
    var cluster = new ProcessCluster(root);
    Files.createDirectories(root);
    Files.writeString(root.resolve("keys"), KEY + " " + TENANT + "\n");
    try {
      int[] internode = new int[size];
      for (int i = 0; i < size; i++) {
        internode[i] = NodeProcess.freePort();
      }
      for (int i = 0; i < size; i++) {
        int grpc = NodeProcess.freePort();
        int httpPort = NodeProcess.freePort();
        var args =
            new ArrayList<>(
                List.of(
                    "--data-dir",
                    root.resolve(host(i)).toString(),
                    "--node-id",
                    host(i),
                    "--bind",
                    "127.0.0.1",
                    "--grpc-port",
                    Integer.toString(grpc),
                    "--http-port",
                    Integer.toString(httpPort),
                    "--api-key-file",
                    root.resolve("keys").toString(),
                    "--cluster-name",
                    "it",
                    "--rack",
                    "rack-" + (i % racks),
                    "--internode-port",
                    Integer.toString(internode[i]),
                    "--published-address",
                    "127.0.0.1:" + internode[i],
                    "--replication-factor",
                    Integer.toString(rf),
                    "--internode-plaintext-for-development"));
        if (i == 0) {
          args.add("--initial-node");
        } else {
          args.addAll(List.of("--seeds", "127.0.0.1:" + internode[0]));
        }
        args.addAll(extraArgs);
        var node = new NodeProcess(host(i), args, root.resolve(host(i) + ".log"));
        cluster.nodes.add(node);
        cluster.httpPorts.add(httpPort);
        node.start(START_TIMEOUT);
        cluster.channels.add(channel(node.grpcPort()));
        int members = i + 1;
        // one join at a time: the next node learns the ring from n1, so n1 must know this one
        cluster.await(
            Duration.ofSeconds(30),
            () -> cluster.metric(0, "allidb_cluster_ring_members") == members,
            "n1 to see " + members + " ring members");
      }
    } catch (Exception | Error e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  private static ManagedChannel channel(int port) {
    return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
  }

  public static String host(int i) {
    return "n" + (i + 1);
  }

  public int size() {
    return nodes.size();
  }

  public NodeProcess node(int i) {
    return nodes.get(i);
  }

  public Path dataDir(int i) {
    return root.resolve(host(i));
  }

  /** SIGKILL of node {@code i}. */
  public void kill(int i) throws InterruptedException {
    nodes.get(i).kill();
  }

  /** Restarts node {@code i} with its arguments (ports and data directory included). */
  public void restart(int i) throws Exception {
    channels.get(i).shutdownNow();
    nodes.get(i).start(START_TIMEOUT);
    channels.set(i, channel(nodes.get(i).grpcPort()));
  }

  /** A blocking public-API stub to node {@code i} with the tenant's key and a 10 s deadline. */
  public AlliDBGrpc.AlliDBBlockingStub stub(int i) {
    var md = new Metadata();
    md.put(ApiKeyAuthInterceptor.API_KEY, KEY);
    return AlliDBGrpc.newBlockingStub(channels.get(i))
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /**
   * The sum of a metric's samples (all label values) on node {@code i}'s {@code /metrics}, or NaN
   * when the node does not answer or has no such metric.
   */
  public double metric(int i, String name) {
    return metric(i, name, "");
  }

  /** Like {@link #metric(int, String)}, only samples whose labels contain {@code labelFilter}. */
  public double metric(int i, String name, String labelFilter) {
    String body;
    try {
      var request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPorts.get(i) + "/metrics"))
              .timeout(Duration.ofSeconds(5))
              .build();
      body = http.send(request, HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      return Double.NaN;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Double.NaN;
    }
    Pattern sample =
        Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*})? (\\S+)$", Pattern.MULTILINE);
    Matcher m = sample.matcher(body);
    double sum = 0;
    boolean found = false;
    while (m.find()) {
      String labels = m.group(1) == null ? "" : m.group(1);
      if (labels.contains(labelFilter)) {
        sum += Double.parseDouble(m.group(2));
        found = true;
      }
    }
    return found ? sum : Double.NaN;
  }

  /** Hint files ({@code *.hints}) node {@code i} holds, for any target. */
  public List<Path> hintFiles(int i) throws IOException {
    Path dir = dataDir(i).resolve("hints");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".hints")).toList();
    }
  }

  /**
   * Waits until {@code condition} has held continuously for {@code during} (for states that a late
   * event can still undo, such as "no hints left" while replica calls may still time out).
   */
  public void awaitSteady(
      Duration during, Duration atMost, Callable<Boolean> condition, String what) {
    Awaitility.await(what)
        .during(during)
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(200))
        .until(condition);
  }

  /** Waits (Awaitility, polling every 100 ms) until {@code condition} holds. */
  public void await(Duration atMost, Callable<Boolean> condition, String what) {
    Awaitility.await(what).atMost(atMost).pollInterval(Duration.ofMillis(100)).until(condition);
  }

  @Override
  public void close() throws InterruptedException {
    channels.forEach(ManagedChannel::shutdownNow);
    // SIGKILL: nothing here needs a clean shutdown, and it keeps teardown fast on two cores
    for (NodeProcess n : nodes) {
      n.kill();
    }
  }
}
