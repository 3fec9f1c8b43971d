package io.allidb.dataplane.cli;

import io.allidb.api.proto.AlliDBGrpc.AlliDBBlockingStub;
import io.allidb.api.proto.BatchPutEntitiesRequest;
import io.allidb.api.proto.ExtractEntitiesRequest;
import io.allidb.dataplane.ai.LocalEmbedder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code allidb ingest <files|dirs>}: chunks text files ({@link Chunker}), embeds the chunks
 * (locally with MiniLM by default, or leaves it to the node's embed on write), writes one entity
 * per chunk ({@code <file>#<n>}, type {@code chunk}, a {@code next} edge to the following chunk),
 * and optionally asks the node's LLM to extract entities from each chunk.
 *
 * <p>Resumable: after a file is fully written its path and SHA-256 are appended to the progress
 * file, and a later run skips files recorded with the same content; an interrupted run redoes at
 * most the file it was in (writes are idempotent upserts). A progress bar goes to stderr. Not
 * thread-safe.
 */
@Command(
    name = "ingest",
    mixinStandardHelpOptions = true,
    description = "Chunk, embed and store text files (resumable); optionally extract entities.")
final class IngestCommand implements Callable<Integer> {
  static final Set<String> EXTENSIONS = Set.of("txt", "md", "markdown", "rst", "text");

  @Mixin ClientOptions client;
  @Spec CommandSpec spec;

  @Parameters(arity = "1..*", description = "Files or directories (.txt, .md, .rst).")
  List<Path> paths;

  @Option(
      names = "--chunk-chars",
      defaultValue = "1000",
      description = "Most characters per chunk (default: ${DEFAULT-VALUE}).")
  int chunkChars;

  @Option(
      names = "--embed",
      defaultValue = "local",
      description =
          "local (MiniLM in this process) or server (the node's embed on write)"
              + " (default: ${DEFAULT-VALUE}).")
  String embed;

  @Option(names = "--extract", description = "Also extract entities from each chunk (node LLM).")
  boolean extract;

  @Option(
      names = "--progress-file",
      defaultValue = ".allidb-ingest.progress",
      description = "Where finished files are recorded (default: ${DEFAULT-VALUE}).")
  Path progressFile;

  @Option(
      names = "--type",
      defaultValue = "chunk",
      description = "Entity type of the chunks (default: ${DEFAULT-VALUE}).")
  String type;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<Path> files = files();
    Set<String> done = readProgress();
    var chunker = new Chunker(chunkChars);
    LocalEmbedder embedder = embed.equalsIgnoreCase("local") ? new LocalEmbedder() : null;
    if (embedder == null && !embed.equalsIgnoreCase("server")) {
      throw new IllegalArgumentException("--embed must be local or server; got " + embed);
    }
    int skipped = 0;
    int written = 0;
    long chunks = 0;
    var channel = client.channel();
    try {
      AlliDBBlockingStub stub = client.stub(channel);
      for (int i = 0; i < files.size(); i++) {
        Path f = files.get(i);
        String text = Files.readString(f, StandardCharsets.UTF_8);
        String record = sha256(text) + " " + f.toAbsolutePath().normalize();
        if (done.contains(record)) {
          skipped++;
        } else {
          chunks += ingest(stub, f, chunker.chunks(text), embedder);
          Files.writeString(
              progressFile,
              record + "\n",
              StandardOpenOption.CREATE,
              StandardOpenOption.APPEND,
              StandardOpenOption.WRITE);
          written++;
        }
        bar(err, i + 1, files.size(), chunks);
      }
    } finally {
      channel.shutdownNow();
    }
    err.println();
    out.printf(
        "Ingested %d file(s), %d chunk(s); skipped %d already ingested (%s)%n",
        written, chunks, skipped, progressFile);
    return 0;
  }

  private int ingest(AlliDBBlockingStub stub, Path file, List<String> chunks, LocalEmbedder e)
      throws IOException {
    String source = file.toString();
    List<float[]> vectors = e == null ? null : e.embedAll(chunks);
    var entities = ChunkEntities.of(source, type, chunks, vectors);
    var batch = BatchPutEntitiesRequest.newBuilder();
    for (int n = 0; n < entities.size(); n++) {
      batch.addEntities(entities.get(n));
      if (batch.getEntitiesCount() == 64 || n == chunks.size() - 1) {
        var r = client.withDeadline(stub).batchPutEntities(batch.build());
        if (!r.getSuccess()) {
          throw new IOException(
              file + ": " + r.getFailureCount() + " chunk(s) refused: " + r.getErrorMessage());
        }
        batch.clear();
      }
    }
    if (extract) {
      for (String chunk : chunks) {
        client
            .withDeadline(stub)
            .extractEntities(
                ExtractEntitiesRequest.newBuilder().setText(chunk).setSource(source).build());
      }
    }
    return chunks.size();
  }

  private List<Path> files() throws IOException {
    var out = new ArrayList<Path>();
    for (Path p : paths) {
      if (Files.isDirectory(p)) {
        try (Stream<Path> walk = Files.walk(p)) {
          walk.filter(Files::isRegularFile)
              .filter(IngestCommand::isText)
              .sorted()
              .forEach(out::add);
        }
      } else if (Files.isRegularFile(p)) {
        out.add(p);
      } else {
        throw new IOException("no such file or directory: " + p);
      }
    }
    return out;
  }

  private static boolean isText(Path p) {
    String name = p.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
  }

  private Set<String> readProgress() throws IOException {
    return Files.exists(progressFile)
        ? new HashSet<>(Files.readAllLines(progressFile, StandardCharsets.UTF_8))
        : new HashSet<>();
  }

  private static String sha256(String text) {
    try {
      var md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void bar(PrintWriter err, int done, int total, long chunks) {
    int width = 30;
    int filled = total == 0 ? width : done * width / total;
    err.printf(
        "\r[%s%s] %d/%d files, %d chunks",
        "#".repeat(filled), " ".repeat(width - filled), done, total, chunks);
    err.flush();
  }
}
