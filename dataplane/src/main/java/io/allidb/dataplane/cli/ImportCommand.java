package io.allidb.dataplane.cli;

import io.allidb.dataplane.ai.LocalEmbedder;
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
 * {@code allidb import FILE.jsonl}: batch-imports entities (one proto-JSON entity per line), with a
 * progress line on stderr; {@code --embed} computes missing embeddings from chunk text locally.
 *
 * <p>Not thread-safe; one instance per invocation.
 */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = "Import entities from a JSON-lines file (one entity per line).")
final class ImportCommand implements Callable<Integer> {
  @Mixin ClientOptions client;
  @Spec CommandSpec spec;

  @Parameters(index = "0", description = "JSON-lines file of entities.")
  Path file;

  @Option(
      names = "--batch-size",
      defaultValue = "100",
      description = "Entities per BatchPutEntities call (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(
      names = "--embed",
      description = "Embed entities without embeddings from their chunk text (local MiniLM).")
  boolean embed;

  @Override
  public Integer call() throws Exception {
    long total;
    try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
      total = lines.filter(l -> !l.isBlank()).count();
    }
    var channel = client.channel();
    try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      var stub = client.stub(channel);
      var importer =
          new Importer(
              () -> client.withDeadline(stub),
              batchSize,
              embed ? new LocalEmbedder() : null,
              spec.commandLine().getErr());
      importer.run(in, total);
      return 0;
    } catch (Importer.BadLineException e) {
      spec.commandLine().getErr().println("allidb import: " + file + ": " + e.getMessage());
      return 1;
    } finally {
      channel.shutdownNow();
    }
  }
}
