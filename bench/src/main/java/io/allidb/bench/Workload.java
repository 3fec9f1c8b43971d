package io.allidb.bench;

import io.allidb.api.proto.Entity;
import io.allidb.api.proto.TextChunk;
import io.allidb.api.proto.VectorEmbedding;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Deterministic rows for the write benchmark: the same seed gives every engine the same rows in the
 * same order per writer. Payloads come from a small pre-built pool so that generating random text
 * or 768 floats does not eat the CPU the engines compete for; every row still has a unique id, so
 * no write overwrites another.
 */
public final class Workload {

  /** What a row carries. */
  public enum Payload {
    /** About 1 KiB of text in one chunk, like a document row. */
    KV,
    /** One 768-dimensional float embedding (about 3 KiB), like an embedding row. */
    VECTOR
  }

  static final int TEXT_BYTES = 1000;
  static final int DIMENSIONS = 768;
  private static final int POOL = 256;

  private final Payload payload;
  private final TextChunk[] texts;
  private final VectorEmbedding[] vectors;

  Workload(Payload payload, long seed) {
    this.payload = payload;
    SplittableRandom random = new SplittableRandom(seed);
    if (payload == Payload.KV) {
      texts = new TextChunk[POOL];
      for (int i = 0; i < POOL; i++) {
        texts[i] = TextChunk.newBuilder().setChunkId("c0").setText(text(random)).build();
      }
      vectors = null;
    } else {
      vectors = new VectorEmbedding[POOL];
      for (int i = 0; i < POOL; i++) {
        VectorEmbedding.Builder v = VectorEmbedding.newBuilder().setVersion(1);
        for (int d = 0; d < DIMENSIONS; d++) {
          v.addVector((float) (random.nextDouble() * 2 - 1));
        }
        vectors[i] = v.build();
      }
      texts = null;
    }
  }

  /** Word-like lowercase text: compresses a little, as real text does, not like zeros. */
  private static String text(SplittableRandom random) {
    StringBuilder sb = new StringBuilder(TEXT_BYTES);
    while (sb.length() < TEXT_BYTES) {
      int word = 2 + random.nextInt(9);
      for (int i = 0; i < word && sb.length() < TEXT_BYTES; i++) {
        sb.append((char) ('a' + random.nextInt(26)));
      }
      if (sb.length() < TEXT_BYTES) {
        sb.append(' ');
      }
    }
    return sb.toString();
  }

  /** The row a writer writes as its {@code seq}-th row. */
  Entity entity(int writer, long seq) {
    int slot = (int) Math.floorMod(seq * 31 + writer, (long) POOL);
    Entity.Builder e =
        Entity.newBuilder().setEntityId("w" + writer + "-" + seq).setEntityType("bench");
    if (payload == Payload.KV) {
      e.addChunks(texts[slot]);
    } else {
      e.addEmbeddings(vectors[slot]);
    }
    return e.build();
  }

  /** {@code count} consecutive rows of a writer starting at {@code firstSeq}. */
  List<Entity> batch(int writer, long firstSeq, int count) {
    List<Entity> rows = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      rows.add(entity(writer, firstSeq + i));
    }
    return rows;
  }
}
