package io.allidb.dataplane.cli;

import io.allidb.api.proto.AlliDBGrpc.AlliDBBlockingStub;
import io.allidb.api.proto.Entity;
import io.allidb.api.proto.GetEntityRequest;
import io.allidb.api.proto.QueryFilter;
import io.allidb.api.proto.QueryRequest;
import io.allidb.api.proto.QueryResponse;
import io.allidb.api.proto.QueryResult;
import io.allidb.api.proto.TraversalDirection;
import io.allidb.dataplane.ai.LocalEmbedder;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code allidb query}: a Graph RAG query from a vector file, an existing entity's latest embedding
 * ({@code --like}) or text embedded locally ({@code --text}), printed as a table; {@code --explain}
 * adds the score breakdown.
 *
 * <p>Not thread-safe; one instance per invocation.
 */
@Command(
    name = "query",
    mixinStandardHelpOptions = true,
    description = "Vector + graph query; prints the results as a table.")
final class QueryCommand implements Callable<Integer> {
  @Mixin ClientOptions client;
  @Spec CommandSpec spec;

  @ArgGroup(multiplicity = "1")
  Source source;

  static final class Source {
    @Option(names = "--vector", description = "JSON array of floats in a file ('-': stdin).")
    Path vectorFile;

    @Option(names = "--like", description = "Use this entity's latest embedding.")
    String likeId;

    @Option(names = "--text", description = "Embed this text with the local MiniLM model.")
    String text;
  }

  @Option(names = "-k", defaultValue = "10", description = "Results (default: ${DEFAULT-VALUE}).")
  int k;

  @Option(names = "--hops", defaultValue = "0", description = "Graph hops; 0: server default.")
  int hops;

  @Option(names = "--relation", description = "Follow only these relations (repeatable).")
  List<String> relations = new ArrayList<>();

  @Option(
      names = "--direction",
      description = "Edges to follow: OUTGOING, INCOMING or BOTH (default: server's).")
  String direction;

  @Option(names = "--type", description = "Only entities of these types (repeatable).")
  List<String> types = new ArrayList<>();

  @Option(names = "--explain", description = "Show the score breakdown.")
  boolean explain;

  @Option(names = "--json", description = "Print the raw response as JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    var channel = client.channel();
    try {
      AlliDBBlockingStub stub = client.stub(channel);
      List<Float> vector = vector(stub);
      var request = request(vector, k, hops, relations, direction, types);
      QueryResponse response = client.withDeadline(stub).query(request);
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        out.println(Json.pretty(response));
      } else {
        printTable(response, explain, out);
      }
    } finally {
      channel.shutdownNow();
    }
    return 0;
  }

  private List<Float> vector(AlliDBBlockingStub stub) throws Exception {
    if (source.text != null) {
      return boxed(new LocalEmbedder().embed(source.text));
    }
    if (source.likeId != null) {
      Entity e =
          client
              .withDeadline(stub)
              .getEntity(GetEntityRequest.newBuilder().setEntityId(source.likeId).build())
              .getEntity();
      if (e.getEmbeddingsCount() == 0) {
        throw new ParameterException(
            spec.commandLine(), "entity " + source.likeId + " has no embedding");
      }
      return e.getEmbeddings(e.getEmbeddingsCount() - 1).getVectorList();
    }
    String text =
        source.vectorFile.toString().equals("-")
            ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
            : Files.readString(source.vectorFile);
    var parsed = new ArrayList<Float>();
    for (var el : com.google.gson.JsonParser.parseString(text).getAsJsonArray()) {
      parsed.add(el.getAsFloat());
    }
    return parsed;
  }

  static List<Float> boxed(float[] v) {
    var out = new ArrayList<Float>(v.length);
    for (float x : v) {
      out.add(x);
    }
    return out;
  }

  static QueryRequest request(
      List<Float> vector,
      int k,
      int hops,
      List<String> relations,
      String direction,
      List<String> types) {
    var b =
        QueryRequest.newBuilder()
            .addAllQueryVector(vector)
            .setK(k)
            .setMaxHops(hops)
            .addAllRelationTypes(relations);
    if (direction != null) {
      b.setDirection(
          TraversalDirection.valueOf("TRAVERSAL_DIRECTION_" + direction.toUpperCase(Locale.ROOT)));
    }
    if (!types.isEmpty()) {
      b.setFilter(QueryFilter.newBuilder().addAllEntityTypes(types));
    }
    return b.build();
  }

  /** One row per result; with {@code explain} the breakdown columns and the seed. */
  static void printTable(QueryResponse response, boolean explain, PrintWriter out) {
    if (response.getResultsCount() == 0) {
      out.println("(no results)");
      return;
    }
    if (explain) {
      out.printf(
          "%-3s %-6s %-28s %-12s %-6s %-6s %-6s %-7s %-4s %s%n",
          "#", "score", "entity", "type", "vector", "graph", "impt", "recency", "hops", "seed");
    } else {
      out.printf("%-3s %-6s %-28s %-12s %s%n", "#", "score", "entity", "type", "text");
    }
    int rank = 1;
    for (QueryResult r : response.getResultsList()) {
      String type = r.getEntity().getEntityType();
      if (explain) {
        var b = r.getBreakdown();
        out.printf(
            Locale.ROOT,
            "%-3d %-6.3f %-28s %-12s %-6.3f %-6.3f %-6.3f %-7.3f %-4d %s%n",
            rank,
            r.getScore(),
            cut(r.getEntityId(), 28),
            cut(type, 12),
            b.getVector(),
            b.getGraph(),
            b.getImportance(),
            b.getRecency(),
            b.getHops(),
            b.getSeedEntityId().isEmpty() ? "-" : b.getSeedEntityId());
        out.println("    " + cut(text(r.getEntity()), 110));
      } else {
        out.printf(
            Locale.ROOT,
            "%-3d %-6.3f %-28s %-12s %s%n",
            rank,
            r.getScore(),
            cut(r.getEntityId(), 28),
            cut(type, 12),
            cut(text(r.getEntity()), 70));
      }
      rank++;
    }
  }

  private static String text(Entity e) {
    return e.getChunksCount() == 0 ? "" : e.getChunks(0).getText();
  }

  private static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }
}
