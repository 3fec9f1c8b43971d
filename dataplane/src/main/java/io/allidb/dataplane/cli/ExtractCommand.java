package io.allidb.dataplane.cli;

import io.allidb.api.proto.Entity;
import io.allidb.api.proto.ExtractEntitiesRequest;
import io.allidb.api.proto.ExtractEntitiesResponse;
import io.allidb.api.proto.GraphEdge;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code allidb extract <file|->}: sends the text to the node's LLM ({@code ExtractEntities}),
 * which writes the validated entities and relations; prints them. Not thread-safe.
 */
@Command(
    name = "extract",
    mixinStandardHelpOptions = true,
    description = "Extract entities and relations from text with the node's LLM and store them.")
final class ExtractCommand implements Callable<Integer> {
  @Mixin ClientOptions client;
  @Spec CommandSpec spec;

  @Parameters(index = "0", description = "Text file ('-': stdin).")
  Path file;

  @Option(names = "--dry-run", description = "Show what would be written; write nothing.")
  boolean dryRun;

  @Option(names = "--max-retries", description = "Extra attempts after an invalid answer.")
  Integer maxRetries;

  @Option(names = "--json", description = "Print the raw response as JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    String text =
        file.toString().equals("-")
            ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
            : Files.readString(file);
    var request =
        ExtractEntitiesRequest.newBuilder()
            .setText(text)
            .setSource(file.getFileName() == null ? "-" : file.getFileName().toString())
            .setDryRun(dryRun);
    if (maxRetries != null) {
      request.setMaxRetries(maxRetries);
    }
    var channel = client.channel();
    try {
      ExtractEntitiesResponse r =
          client.withDeadline(client.stub(channel)).extractEntities(request.build());
      print(r, dryRun, json, spec.commandLine().getOut());
    } finally {
      channel.shutdownNow();
    }
    return 0;
  }

  static void print(ExtractEntitiesResponse r, boolean dryRun, boolean json, PrintWriter out)
      throws Exception {
    if (json) {
      out.println(Json.pretty(r));
      return;
    }
    out.printf(
        "%s %d entities and %d relations (%s, %d LLM call(s))%n",
        dryRun ? "Would write" : "Wrote",
        r.getEntitiesCount(),
        r.getRelationCount(),
        r.getSchemaVersion(),
        r.getAttempts());
    for (Entity e : r.getEntitiesList()) {
      out.printf("  %-32s %s%n", e.getEntityId(), e.getEntityType());
      for (GraphEdge g : e.getOutgoingEdgesList()) {
        out.printf("      -[%s %.2f]-> %s%n", g.getRelation(), g.getWeight(), g.getToEntity());
      }
    }
  }
}
