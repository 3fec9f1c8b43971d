package io.allidb.dataplane.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import io.allidb.api.proto.AlliDBGrpc.AlliDBBlockingStub;
import io.allidb.api.proto.BatchPutEntitiesRequest;
import io.allidb.api.proto.Entity;
import io.allidb.api.proto.GraphEdge;
import io.allidb.api.proto.TextChunk;
import io.allidb.api.proto.VectorEmbedding;
import io.allidb.dataplane.ai.LocalEmbedder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Streams a JSON-lines file of entities (proto JSON, one entity per line) into a node in batches,
 * optionally embedding each entity's chunk text with the {@link LocalEmbedder} first.
 *
 * <p>Rows are sent batch by batch, so a bad line stops the import with its line number after the
 * earlier batches were written; the error says how many rows that was. A batch in which the server
 * rejected some entities also stops it.
 *
 * <p>Not thread-safe; one instance per import.
 */
final class Importer {
  /** A line the importer could not use; {@link #line} is 1-based. */
  static final class BadLineException extends Exception {
    final long line;

    BadLineException(long line, String message) {
      super("line " + line + ": " + message);
      this.line = line;
    }
  }

  private final Supplier<AlliDBBlockingStub> stubs;
  private final int batchSize;
  private final LocalEmbedder embedder;
  private final PrintWriter progress;

  /**
   * @param stubs a stub with a fresh deadline per batch
   * @param embedder when non-null, entities without embeddings get one from their chunk text
   * @param progress where the progress lines go (stderr)
   */
  Importer(
      Supplier<AlliDBBlockingStub> stubs,
      int batchSize,
      LocalEmbedder embedder,
      PrintWriter progress) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1; got " + batchSize);
    }
    this.stubs = stubs;
    this.batchSize = batchSize;
    this.embedder = embedder;
    this.progress = progress;
  }

  /**
   * Imports every line of {@code in}; {@code totalRows} (0 if unknown) feeds the ETA.
   *
   * @return the number of entities written
   */
  long run(BufferedReader in, long totalRows) throws IOException, BadLineException {
    long startNanos = System.nanoTime();
    long lastReport = startNanos;
    long lineNo = 0;
    long written = 0;
    var batch = new ArrayList<Entity>(batchSize);
    long batchFirstLine = 1;
    String line;
    while ((line = in.readLine()) != null) {
      lineNo++;
      if (line.isBlank()) {
        continue;
      }
      if (batch.isEmpty()) {
        batchFirstLine = lineNo;
      }
      batch.add(parse(line, lineNo, written));
      if (batch.size() == batchSize) {
        written += send(batch, batchFirstLine, lineNo, written);
        batch.clear();
        long now = System.nanoTime();
        if (now - lastReport > 1_000_000_000L) {
          report(written, totalRows, now - startNanos, false);
          lastReport = now;
        }
      }
    }
    if (!batch.isEmpty()) {
      written += send(batch, batchFirstLine, lineNo, written);
    }
    report(written, totalRows, System.nanoTime() - startNanos, true);
    return written;
  }

  private Entity parse(String line, long lineNo, long written) throws BadLineException {
    Entity.Builder b;
    try {
      b = Json.parse(line, Entity.newBuilder());
    } catch (InvalidProtocolBufferException e) {
      throw new BadLineException(lineNo, e.getMessage() + alreadyWritten(written));
    }
    if (b.getEntityId().isEmpty()) {
      throw new BadLineException(lineNo, "entity_id is required" + alreadyWritten(written));
    }
    // files may omit from_entity on outgoing edges: it can only be the entity itself
    for (GraphEdge.Builder edge : b.getOutgoingEdgesBuilderList()) {
      if (edge.getFromEntity().isEmpty()) {
        edge.setFromEntity(b.getEntityId());
      }
    }
    return b.build();
  }

  private long send(List<Entity> batch, long firstLine, long lastLine, long written)
      throws BadLineException {
    List<Entity> toSend = embedder == null ? batch : embed(batch);
    var response =
        stubs
            .get()
            .batchPutEntities(BatchPutEntitiesRequest.newBuilder().addAllEntities(toSend).build());
    if (response.getFailureCount() > 0) {
      throw new BadLineException(
          firstLine,
          response.getFailureCount()
              + " of the entities on lines "
              + firstLine
              + "-"
              + lastLine
              + " were rejected (last error: "
              + response.getErrorMessage()
              + ")"
              + alreadyWritten(written + response.getSuccessCount()));
    }
    return response.getSuccessCount();
  }

  private List<Entity> embed(List<Entity> batch) {
    var needing = new ArrayList<Integer>();
    var texts = new ArrayList<String>();
    for (int i = 0; i < batch.size(); i++) {
      Entity e = batch.get(i);
      if (e.getEmbeddingsCount() == 0 && e.getChunksCount() > 0) {
        needing.add(i);
        texts.add(
            e.getChunksList().stream().map(TextChunk::getText).collect(Collectors.joining("\n")));
      }
    }
    if (needing.isEmpty()) {
      return batch;
    }
    List<float[]> vectors = embedder.embedAll(texts);
    var out = new ArrayList<>(batch);
    for (int j = 0; j < needing.size(); j++) {
      int i = needing.get(j);
      out.set(
          i,
          batch.get(i).toBuilder()
              .addEmbeddings(
                  VectorEmbedding.newBuilder().addAllVector(QueryCommand.boxed(vectors.get(j))))
              .build());
    }
    return out;
  }

  private void report(long rows, long total, long elapsedNanos, boolean done) {
    double seconds = Math.max(elapsedNanos / 1e9, 1e-3);
    double rate = rows / seconds;
    String eta =
        done || total <= 0 || rate == 0
            ? ""
            : String.format(", ETA %.0fs", Math.max(0, total - rows) / rate);
    progress.printf(
        "%s %d%s rows, %.0f rows/s%s%n",
        done ? "imported" : "importing", rows, total > 0 ? "/" + total : "", rate, eta);
    progress.flush();
  }

  private static String alreadyWritten(long written) {
    return written == 0 ? "" : " (" + written + " earlier rows were imported)";
  }
}
