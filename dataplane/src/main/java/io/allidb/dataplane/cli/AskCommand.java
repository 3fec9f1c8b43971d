package io.allidb.dataplane.cli;

import io.allidb.api.proto.HybridMode;
import io.allidb.api.proto.QueryRequest;
import io.allidb.api.proto.QueryResponse;
import io.allidb.api.proto.QueryResult;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code allidb ask "question"}: a text Graph RAG query. The node embeds the question with its
 * embedding provider and, by default, fuses BM25 over chunk text by reciprocal rank fusion; the
 * answer is printed with every score component. Not thread-safe; one instance per invocation.
 */
@Command(
    name = "ask",
    mixinStandardHelpOptions = true,
    description = "Text Graph RAG query (hybrid by default); prints the score breakdown.")
final class AskCommand implements Callable<Integer> {
  @Mixin ClientOptions client;
  @Spec CommandSpec spec;

  @Parameters(index = "0", description = "The question.")
  String question;

  @Option(names = "-k", defaultValue = "5", description = "Results (default: ${DEFAULT-VALUE}).")
  int k;

  @Option(
      names = "--mode",
      defaultValue = "rrf",
      description = "rrf, weighted or vector (default: ${DEFAULT-VALUE}).")
  String mode;

  @Option(names = "--text-weight", description = "Weighted mode: weight of the text component.")
  Double textWeight;

  @Option(names = "--hops", defaultValue = "0", description = "Graph hops; 0: server default.")
  int hops;

  @Option(names = "--json", description = "Print the raw response as JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    var request =
        QueryRequest.newBuilder()
            .setQueryText(question)
            .setK(k)
            .setMaxHops(hops)
            .setHybridMode(mode(mode));
    if (textWeight != null) {
      request.setTextWeight(textWeight);
    }
    var channel = client.channel();
    try {
      QueryResponse response = client.withDeadline(client.stub(channel)).query(request.build());
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        out.println(Json.pretty(response));
      } else {
        print(response, out);
      }
    } finally {
      channel.shutdownNow();
    }
    return 0;
  }

  private static HybridMode mode(String m) {
    return switch (m.toLowerCase(Locale.ROOT)) {
      case "rrf" -> HybridMode.HYBRID_MODE_RRF;
      case "weighted" -> HybridMode.HYBRID_MODE_WEIGHTED;
      case "vector" -> HybridMode.HYBRID_MODE_VECTOR_ONLY;
      default -> throw new IllegalArgumentException("--mode must be rrf, weighted or vector");
    };
  }

  static void print(QueryResponse response, PrintWriter out) {
    if (response.getResultsCount() == 0) {
      out.println("(no results)");
      return;
    }
    out.printf(
        "%-3s %-7s %-30s %-6s %-6s %-5s %-6s %-6s %-7s %-4s%n",
        "#", "score", "entity", "vector", "text", "trank", "graph", "impt", "recency", "hops");
    int rank = 1;
    for (QueryResult r : response.getResultsList()) {
      var b = r.getBreakdown();
      out.printf(
          Locale.ROOT,
          "%-3d %-7.4f %-30s %-6.3f %-6.3f %-5s %-6.3f %-6.3f %-7.3f %-4d%n",
          rank++,
          r.getScore(),
          tail(r.getEntityId(), 30),
          b.getVector(),
          b.getText(),
          b.getTextRank() == 0 ? "-" : Integer.toString(b.getTextRank()),
          b.getGraph(),
          b.getImportance(),
          b.getRecency(),
          b.getHops());
      var e = r.getEntity();
      if (e.getChunksCount() > 0) {
        out.println("    " + cut(e.getChunks(0).getText().replace('\n', ' '), 110));
      }
    }
  }

  /** Ids end in what tells them apart (a file's name and chunk number): keep the end. */
  private static String tail(String s, int max) {
    return s.length() <= max ? s : "…" + s.substring(s.length() - max + 1);
  }

  private static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }
}
