package io.allidb.dataplane.testing;

import io.allidb.api.proto.Entity;
import io.allidb.api.proto.GraphEdge;
import io.allidb.api.proto.TextChunk;
import io.allidb.api.proto.VectorEmbedding;
import java.util.Random;

/** Entity fixtures. */
public final class Entities {
  private Entities() {}

  /** A small entity whose text names its version, so tests can tell versions apart. */
  public static Entity doc(String id, String text) {
    return Entity.newBuilder()
        .setEntityId(id)
        .setEntityType("document")
        .addChunks(
            TextChunk.newBuilder()
                .setChunkId(id + "#0")
                .setText(text)
                .putMetadata("source", "test")
                .putMetadata("lang", "en"))
        .build();
  }

  /** An entity with a random embedding, an edge and a chunk. */
  public static Entity random(Random rnd, String id, int dim) {
    var emb = VectorEmbedding.newBuilder().setVersion(1);
    for (int i = 0; i < dim; i++) {
      emb.addVector(rnd.nextFloat() * 2 - 1);
    }
    return Entity.newBuilder()
        .setEntityId(id)
        .setEntityType(rnd.nextBoolean() ? "person" : "document")
        .addEmbeddings(emb)
        .addOutgoingEdges(
            GraphEdge.newBuilder()
                .setFromEntity(id)
                .setToEntity("e" + rnd.nextInt(1000))
                .setRelation("mentions")
                .setWeight(rnd.nextDouble()))
        .addChunks(TextChunk.newBuilder().setChunkId(id + "#0").setText("text " + rnd.nextLong()))
        .setImportance(rnd.nextDouble())
        .build();
  }
}
