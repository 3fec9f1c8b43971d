package io.allidb.dataplane.cli;

import io.allidb.api.proto.Entity;
import io.allidb.api.proto.GraphEdge;
import io.allidb.api.proto.TextChunk;
import io.allidb.api.proto.VectorEmbedding;
import java.util.ArrayList;
import java.util.List;

/**
 * The entities {@code allidb ingest} writes for one document: one per chunk, id {@code
 * <source>#<n>}, the chunk text with {@code source} and {@code chunk} metadata, a {@code next} edge
 * to the following chunk, and the chunk's vector when one was computed client-side. Public for the
 * ingest benchmark, which measures this code path.
 */
public final class ChunkEntities {
  private ChunkEntities() {}

  /**
   * @param vectors one per chunk, or {@code null} to let the node embed the text
   */
  public static List<Entity> of(
      String source, String type, List<String> chunks, List<float[]> vectors) {
    var entities = new ArrayList<Entity>(chunks.size());
    for (int n = 0; n < chunks.size(); n++) {
      String id = source + "#" + n;
      var entity =
          Entity.newBuilder()
              .setEntityId(id)
              .setEntityType(type)
              .addChunks(
                  TextChunk.newBuilder()
                      .setChunkId(id)
                      .setText(chunks.get(n))
                      .putMetadata("source", source)
                      .putMetadata("chunk", Integer.toString(n)));
      if (n + 1 < chunks.size()) {
        entity.addOutgoingEdges(
            GraphEdge.newBuilder()
                .setFromEntity(id)
                .setToEntity(source + "#" + (n + 1))
                .setRelation("next")
                .setWeight(1.0));
      }
      if (vectors != null) {
        var v = VectorEmbedding.newBuilder();
        for (float x : vectors.get(n)) {
          v.addVector(x);
        }
        entity.addEmbeddings(v);
      }
      entities.add(entity.build());
    }
    return entities;
  }
}
