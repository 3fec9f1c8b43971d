package io.allidb.bench;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import io.allidb.api.proto.AlliDBGrpc;
import io.allidb.api.proto.BatchPutEntitiesRequest;
import io.allidb.dataplane.ai.LocalEmbedder;
import io.allidb.dataplane.cli.ChunkEntities;
import io.allidb.dataplane.cli.Chunker;
import io.allidb.dataplane.server.ApiKeyAuthInterceptor;
import io.allidb.dataplane.server.DataplaneServer;
import io.allidb.dataplane.server.NodeConfig;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Local embedding throughput of all-MiniLM-L6-v2, int8 (the product's {@link LocalEmbedder}) and
 * fp32 (bench-only dependency), one text per call and in batches; then end-to-end ingest of a few
 * MB of text along the {@code allidb ingest} path: {@link Chunker}, {@link LocalEmbedder#embedAll}
 * per document, {@code BatchPutEntities} of 64 entities over gRPC to an in-process {@link
 * DataplaneServer} (client and server in one JVM on the same cores, as the CLI and a co-located
 * node would be). The text is the bundled sample's chunk texts, repeated.
 */
@Command(
    name = "embed",
    mixinStandardHelpOptions = true,
    description = "Local MiniLM embedding texts/s (int8 vs fp32) and end-to-end ingest chunks/s.")
public final class EmbedBenchmark implements Callable<Integer> {

  static final String TENANT = "bench";
  static final String KEY = "benchkey.bench-secret-0123456789";
  static final String SAMPLE = "/sample/databases.jsonl";
  private static final Pattern TEXT = Pattern.compile("\"text\": \"((?:[^\"\\\\]|\\\\.)*)\"");

  /** One measured cell. */
  public record Row(String what, String mode, long items, double seconds, double perSecond) {}

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--texts", defaultValue = "400", description = "Texts per embedding cell (400).")
  int texts;

  @Option(names = "--batch", defaultValue = "32", description = "Texts per batched call (32).")
  int batch;

  @Option(names = "--warmup-texts", defaultValue = "64", description = "Untimed, per cell (64).")
  int warmupTexts;

  @Option(names = "--variants", split = ",", defaultValue = "int8,fp32", description = "Models.")
  List<String> variants;

  @Option(names = "--ingest-mb", defaultValue = "2", description = "Text to ingest, MB (2).")
  double ingestMb;

  @Option(names = "--doc-kb", defaultValue = "64", description = "Size of one ingested file (64).")
  int docKb;

  @Option(names = "--chunk-chars", defaultValue = "1000", description = "As ingest (1000).")
  int chunkChars;

  @Option(names = "--dir", description = "Parent of the temp data dir (default bench/target).")
  Path dir;

  private final List<Row> rows = new ArrayList<>();

  /** Rows of the last {@link #call()}. */
  public List<Row> rows() {
    return List.copyOf(rows);
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    rows.clear();
    Path root = BenchEnvironment.runDirectory(dir, "embed");
    try {
      List<String> sample = sampleTexts();
      List<String> corpus = new ArrayList<>(texts);
      for (int i = 0; corpus.size() < texts; i++) {
        corpus.add(sample.get(i % sample.size()));
      }
      double avgChars = corpus.stream().mapToInt(String::length).average().orElse(0);
      List<String> args = spec.root().commandLine().getParseResult().originalArgs();
      BenchEnvironment.printHeader(out, "Embedding and ingest benchmark", args, root);
      out.printf(
          Locale.ROOT,
          "- embedding: %d texts per cell (bundled sample chunk texts, mean %.0f chars),"
              + " %d untimed first, batches of %d; ONNX runtime default threads%n",
          texts,
          avgChars,
          warmupTexts,
          batch);
      out.printf(
          Locale.ROOT,
          "- ingest: %.1f MB in %d KB files, %d-char chunks, int8 LocalEmbedder, BatchPutEntities"
              + " of 64 over loopback gRPC to an in-process node; one client thread%n%n",
          ingestMb,
          docKb,
          chunkChars);
      out.println("| what | mode | items | seconds | per second |");
      out.println("|---|---|---:|---:|---:|");
      out.flush();
      for (String v : variants) {
        Supplier<EmbeddingModel> factory = model(v);
        long t0 = System.nanoTime();
        EmbeddingModel m = factory.get();
        m.embed("warm up the session");
        double load = (System.nanoTime() - t0) / 1e9;
        err.printf(Locale.ROOT, "%s: model loaded in %.1f s%n", v, load);
        report(out, embedCell(m, v, "single", corpus, 1));
        report(out, embedCell(m, v, "batch " + batch, corpus, batch));
      }
      ingest(out, err, sample, root);
      out.println();
      out.println(
          "- per second: texts/s for embedding; chunks/s for ingest, MB/s of UTF-8 input text");
      out.flush();
      return 0;
    } finally {
      Dirs.deleteRecursively(root);
    }
  }

  private static Supplier<EmbeddingModel> model(String variant) {
    return switch (variant.toLowerCase(Locale.ROOT)) {
      case "int8" -> AllMiniLmL6V2QuantizedEmbeddingModel::new;
      case "fp32" -> AllMiniLmL6V2EmbeddingModel::new;
      default -> throw new IllegalArgumentException("--variants: int8 or fp32; got " + variant);
    };
  }

  private Row embedCell(EmbeddingModel m, String v, String mode, List<String> corpus, int size) {
    embedRange(m, corpus.subList(0, Math.min(warmupTexts, corpus.size())), size);
    long t0 = System.nanoTime();
    embedRange(m, corpus, size);
    double s = (System.nanoTime() - t0) / 1e9;
    return new Row("embed " + v, mode, corpus.size(), s, corpus.size() / s);
  }

  private static void embedRange(EmbeddingModel m, List<String> texts, int size) {
    if (size <= 1) {
      texts.forEach(m::embed);
      return;
    }
    for (int i = 0; i < texts.size(); i += size) {
      m.embedAll(
          texts.subList(i, Math.min(i + size, texts.size())).stream()
              .map(TextSegment::from)
              .toList());
    }
  }

  private void ingest(PrintWriter out, PrintWriter err, List<String> sample, Path root)
      throws Exception {
    List<String> docs = documents(sample);
    long bytes = 0;
    for (String d : docs) {
      bytes += d.getBytes(StandardCharsets.UTF_8).length;
    }
    Path keyFile = root.resolve("api-keys");
    Files.writeString(keyFile, KEY + " " + TENANT + "\n");
    NodeConfig config =
        NodeConfig.builder(root.resolve("node"))
            .bindAddress("127.0.0.1")
            .grpcPort(0)
            .httpPort(-1)
            .apiKeyFile(keyFile)
            .vectorDimension(LocalEmbedder.DIMENSION)
            .build();
    var embedder = new LocalEmbedder();
    embedder.embed("warm up the session");
    var chunker = new Chunker(chunkChars);
    try (DataplaneServer server = new DataplaneServer(DataplaneServer.forNetty(config), config)) {
      server.start();
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
      try {
        Metadata md = new Metadata();
        md.put(ApiKeyAuthInterceptor.API_KEY, KEY);
        var stub =
            AlliDBGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
        err.printf(Locale.ROOT, "ingesting %d documents...%n", docs.size());
        long chunks = 0;
        long embedNanos = 0;
        long t0 = System.nanoTime();
        for (int d = 0; d < docs.size(); d++) {
          List<String> parts = chunker.chunks(docs.get(d));
          long e0 = System.nanoTime();
          List<float[]> vectors = embedder.embedAll(parts);
          embedNanos += System.nanoTime() - e0;
          write(stub.withDeadlineAfter(5, TimeUnit.MINUTES), "doc-" + d + ".txt", parts, vectors);
          chunks += parts.size();
        }
        double s = (System.nanoTime() - t0) / 1e9;
        double mb = bytes / 1e6;
        report(out, new Row("ingest end to end", "chunks", chunks, s, chunks / s));
        report(out, new Row("ingest end to end", "MB (items: bytes)", bytes, s, mb / s));
        err.printf(
            Locale.ROOT, "ingest: %.0f%% of the time in embedAll%n", 100 * embedNanos / 1e9 / s);
        out.printf(
            Locale.ROOT,
            "%n- ingest: %.2f MB, %d chunks; %.0f%% of the wall time in embedding%n",
            mb,
            chunks,
            100 * embedNanos / 1e9 / s);
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  /** As {@code IngestCommand}: one entity per chunk, a {@code next} edge, batches of 64. */
  private static void write(
      AlliDBGrpc.AlliDBBlockingStub stub, String source, List<String> chunks, List<float[]> vecs)
      throws IOException {
    var entities = ChunkEntities.of(source, "chunk", chunks, vecs);
    var batch = BatchPutEntitiesRequest.newBuilder();
    for (int n = 0; n < entities.size(); n++) {
      batch.addEntities(entities.get(n));
      if (batch.getEntitiesCount() == 64 || n == chunks.size() - 1) {
        var r = stub.batchPutEntities(batch.build());
        if (!r.getSuccess()) {
          throw new IOException(source + ": " + r.getErrorMessage());
        }
        batch.clear();
      }
    }
  }

  /** Documents of about {@code --doc-kb} each, {@code --ingest-mb} in all: sample paragraphs. */
  private List<String> documents(List<String> sample) {
    long total = (long) (ingestMb * 1e6);
    int docChars = docKb * 1000;
    var docs = new ArrayList<String>();
    var doc = new StringBuilder();
    long written = 0;
    for (int i = 0; written < total; i++) {
      String p = sample.get(i % sample.size());
      doc.append(p).append("\n\n");
      written += p.length() + 2;
      if (doc.length() >= docChars) {
        docs.add(doc.toString());
        doc.setLength(0);
      }
    }
    if (doc.length() > 0) {
      docs.add(doc.toString());
    }
    return docs;
  }

  /** The chunk texts of the bundled sample dataset (on the dataplane classpath). */
  static List<String> sampleTexts() throws IOException {
    String jsonl;
    try (InputStream in = DataplaneServer.class.getResourceAsStream(SAMPLE)) {
      if (in == null) {
        throw new IOException("sample dataset not on the classpath: " + SAMPLE);
      }
      jsonl = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    var texts = new ArrayList<String>();
    Matcher m = TEXT.matcher(jsonl);
    while (m.find()) {
      texts.add(m.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
    }
    if (texts.isEmpty()) {
      throw new IOException("no chunk texts in " + SAMPLE);
    }
    return texts;
  }

  private void report(PrintWriter out, Row r) {
    rows.add(r);
    out.printf(
        Locale.ROOT,
        "| %s | %s | %d | %.2f | %.2f |%n",
        r.what(),
        r.mode(),
        r.items(),
        r.seconds(),
        r.perSecond());
    out.flush();
  }
}
