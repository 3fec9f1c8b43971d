package io.allidb.dataplane.cli;

import io.allidb.api.proto.AlliDBGrpc;
import io.allidb.api.proto.HealthCheckRequest;
import io.allidb.api.proto.HybridMode;
import io.allidb.api.proto.QueryRequest;
import io.allidb.dataplane.ai.LocalEmbedder;
import io.allidb.dataplane.server.DataplaneServer;
import io.allidb.dataplane.server.NodeConfig;
import io.grpc.StatusRuntimeException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code allidb demo}: imports the bundled sample (the history of databases and distributed
 * systems, about 150 entities with typed, weighted edges), embeds it locally, and answers a Graph
 * RAG question with two hops and the score breakdown; then asks a text question the node embeds
 * itself ({@code query_text}, hybrid vector + BM25, as {@code allidb ask} does).
 *
 * <p>It uses the node at {@code --target} when one answers there (with the usual key resolution);
 * otherwise it starts a node of its own on a free port of 127.0.0.1 in a temporary directory and
 * removes both afterwards, so it leaves nothing behind on a fresh clone.
 *
 * <p>Not thread-safe; one instance per invocation.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "Import the bundled sample dataset and run a Graph RAG query on it.")
final class DemoCommand implements Callable<Integer> {
  static final String SAMPLE = "/sample/databases.jsonl";
  private static final List<String> RELATIONS = List.of("influenced", "designed_by");

  @Mixin ClientOptions client;
  @Spec CommandSpec spec;

  @Option(
      names = "--question",
      defaultValue = "Who designed systems influenced by the Dynamo paper?",
      description = "The question (default: ${DEFAULT-VALUE}).")
  String question;

  @Option(names = "-k", defaultValue = "14", description = "Results (default: ${DEFAULT-VALUE}).")
  int k;

  @Option(
      names = "--text-question",
      defaultValue = "How do systems stay available when replicas disagree?",
      description =
          "Asked as query_text, embedded by the node (default: ${DEFAULT-VALUE}); empty: skip.")
  String textQuestion;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    DataplaneServer node = null;
    Path dir = null;
    if (nodeAnswers(client.target)) {
      err.println("demo: using the node at " + client.target);
    } else {
      dir = Files.createTempDirectory("allidb-demo-");
      client.apiKey = DevApiKey.create(dir.resolve("api-keys"));
      NodeConfig config =
          NodeConfig.builder(dir)
              .bindAddress("127.0.0.1")
              .grpcPort(0)
              .httpPort(-1)
              .vectorDimension(LocalEmbedder.DIMENSION)
              .build();
      node = new DataplaneServer(DataplaneServer.forNetty(config), config).start();
      client.target = "127.0.0.1:" + node.port();
      err.println("demo: started a node in " + dir + " on " + client.target);
    }
    var channel = client.channel();
    try {
      var stub = client.stub(channel);
      err.println("demo: loading the local embedding model (all-MiniLM-L6-v2)...");
      var embedder = new LocalEmbedder();
      try (var in =
          new BufferedReader(
              new InputStreamReader(
                  Objects.requireNonNull(
                      DemoCommand.class.getResourceAsStream(SAMPLE), SAMPLE + " missing"),
                  StandardCharsets.UTF_8))) {
        new Importer(() -> client.withDeadline(stub), 64, embedder, err).run(in, 0);
      }
      // people only, reached directly or through "X influenced a system that Y designed"
      var request =
          QueryCommand.request(
              QueryCommand.boxed(embedder.embed(question)),
              k,
              2,
              RELATIONS,
              "OUTGOING",
              List.of("person"));
      // one ANN seed per wanted result, so the rest of the answer has to come through the graph
      var response =
          client.withDeadline(stub).query(request.toBuilder().setExpandFactor(1).build());
      out.println();
      out.println("Q: " + question);
      out.println(
          "   (Graph RAG: "
              + k
              + " people, up to 2 hops along "
              + String.join(" and ", RELATIONS)
              + " edges; 'hops' and 'seed' show how each was reached)");
      out.println();
      QueryCommand.printTable(response, true, out);
      out.println();
      for (var r : response.getResultsList()) {
        if (r.getBreakdown().getHops() > 0) {
          out.printf(
              "reached through the graph: %s (%d hops from %s)%n",
              r.getEntityId(), r.getBreakdown().getHops(), r.getBreakdown().getSeedEntityId());
        }
      }
      askText(stub, out);
      out.flush();
      return 0;
    } finally {
      channel.shutdownNow();
      if (node != null) {
        node.close();
        deleteTree(dir);
        err.println("demo: node stopped, " + dir + " removed");
      }
    }
  }

  /**
   * The text question through the server: the node embeds {@code query_text} with its own provider
   * and fuses vector and BM25 ranks (RRF). A node at {@code --target} without a provider refuses;
   * the demo says so rather than failing after the Graph RAG answer.
   */
  private void askText(AlliDBGrpc.AlliDBBlockingStub stub, PrintWriter out) {
    if (textQuestion.isBlank()) {
      return;
    }
    out.println();
    out.println("Q: " + textQuestion);
    out.println(
        "   (text query: query_text embedded by the node, hybrid vector + BM25 fused by rank;"
            + " same as: allidb ask \"...\")");
    out.println();
    try {
      var response =
          client
              .withDeadline(stub)
              .query(
                  QueryRequest.newBuilder()
                      .setQueryText(textQuestion)
                      .setK(5)
                      .setHybridMode(HybridMode.HYBRID_MODE_RRF)
                      .build());
      AskCommand.print(response, out);
    } catch (StatusRuntimeException e) {
      out.println("(the node did not answer the text query: " + e.getStatus() + ")");
    }
  }

  /** Whether a node answers HealthCheck (no key needed) at {@code target} within a second. */
  private static boolean nodeAnswers(String target) {
    var probe = new ClientOptions();
    probe.target = target;
    var channel = probe.channel();
    try {
      return AlliDBGrpc.newBlockingStub(channel)
          .withDeadlineAfter(1, TimeUnit.SECONDS)
          .healthCheck(HealthCheckRequest.getDefaultInstance())
          .getHealthy();
    } catch (RuntimeException e) {
      return false;
    } finally {
      channel.shutdownNow();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
