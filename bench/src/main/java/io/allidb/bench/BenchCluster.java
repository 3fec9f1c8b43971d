package io.allidb.bench;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code size} {@code allidb server} child JVMs ({@link BenchNode}) on loopback: one plain node
 * when {@code size} is 1, else a gossiping ring at replication factor {@code rf} that the first
 * node seeds, plus a plaintext channel to each node's public gRPC port. Closing stops every node.
 * Not thread-safe.
 */
final class BenchCluster implements AutoCloseable {
  private final List<BenchNode> nodes = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();

  private BenchCluster() {}

  /**
   * @param keys the API key file every node reads
   * @param extraArgs further {@code allidb server} options for every node
   */
  static BenchCluster start(
      Path dir, int size, int rf, Path keys, String heap, List<String> extraArgs) throws Exception {
    Files.createDirectories(dir);
    var cluster = new BenchCluster();
    try {
      int seedPort = BenchNode.freePort();
      for (int i = 0; i < size; i++) {
        String host = "n" + (i + 1);
        int internode = i == 0 ? seedPort : BenchNode.freePort();
        var a = nodeArgs(dir, i, size, rf, internode, seedPort, keys);
        a.addAll(extraArgs);
        var node = new BenchNode(host, a, dir.resolve(host + ".log"), heap);
        cluster.nodes.add(node);
        node.start(Duration.ofSeconds(120));
        cluster.channels.add(
            NettyChannelBuilder.forAddress("127.0.0.1", node.grpcPort()).usePlaintext().build());
        if (i + 1 < size) {
          Thread.sleep(3000); // let the seed hear of this node before the next one joins
        }
      }
      return cluster;
    } catch (Exception | Error e) {
      cluster.close();
      throw e;
    }
  }

  /**
   * The {@code allidb server} options of bench node {@code i} (host {@code n<i+1>}, rack {@code
   * rack-<i>}): loopback, ephemeral client ports, and for a cluster ({@code size > 1}) the
   * internode port, the seed and the replication factor; node 0 starts the ring.
   */
  static List<String> nodeArgs(
      Path dir, int i, int size, int rf, int internode, int seedPort, Path keys) {
    String host = "n" + (i + 1);
    var a =
        new ArrayList<>(
            List.of(
                "--data-dir",
                dir.resolve(host).toString(),
                "--node-id",
                host,
                "--bind",
                "127.0.0.1",
                "--grpc-port",
                "0",
                "--http-port",
                "-1",
                "--api-key-file",
                keys.toString()));
    if (size > 1) {
      a.addAll(
          List.of(
              "--cluster-name",
              "bench",
              "--rack",
              "rack-" + i,
              "--internode-port",
              Integer.toString(internode),
              "--published-address",
              "127.0.0.1:" + internode,
              "--replication-factor",
              Integer.toString(rf),
              "--internode-plaintext-for-development"));
      a.addAll(i == 0 ? List.of("--initial-node") : List.of("--seeds", "127.0.0.1:" + seedPort));
    }
    return a;
  }

  List<ManagedChannel> channels() {
    return List.copyOf(channels);
  }

  @Override
  public void close() throws InterruptedException {
    channels.forEach(ManagedChannel::shutdownNow);
    for (BenchNode n : nodes) {
      n.close();
    }
  }
}
