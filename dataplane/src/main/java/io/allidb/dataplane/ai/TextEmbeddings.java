package io.allidb.dataplane.ai;

import io.allidb.api.proto.Entity;
import io.allidb.api.proto.QueryRequest;
import io.allidb.api.proto.VectorEmbedding;
import io.allidb.dataplane.ai.AiOptions.EmbedOnWrite;
import io.allidb.dataplane.query.hybrid.TextIndex;
import io.grpc.Status;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's use of its embedding provider: {@code query_text} becomes the query vector, and
 * entities written with chunk text but no embedding get one (synchronously, or through a bounded
 * queue, per {@link EmbedOnWrite}).
 *
 * <p>Dimensions: a tenant's vectors all come from one dimension. When the tenant already holds
 * vectors of another dimension than the provider's, both paths fail with a message naming the
 * tenant, both dimensions and the provider, instead of mixing vectors. The provider is created on
 * first use (loading the local model takes a second), so a node that never embeds never loads it.
 *
 * <p>Thread-safe.
 */
public final class TextEmbeddings implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(TextEmbeddings.class);

  /** Reads and writes entities for the queue's worker (the node's coordinator). */
  public interface Store {
    Optional<Entity> get(String tenant, String id) throws IOException;

    void put(String tenant, Entity entity) throws IOException;
  }

  private final Supplier<Optional<EmbeddingProvider>> provider;
  private final EmbedOnWrite mode;
  private final Function<String, OptionalInt> tenantDimension;
  private final ThreadPoolExecutor queue;
  private volatile Store store;

  /**
   * @param provider creates the provider (called once, on first use); empty means none
   * @param tenantDimension the dimension a tenant's stored vectors have, if any
   */
  public TextEmbeddings(
      Supplier<Optional<EmbeddingProvider>> provider,
      EmbedOnWrite mode,
      int queueCapacity,
      Function<String, OptionalInt> tenantDimension) {
    this.provider = memoize(provider);
    this.mode = mode;
    this.tenantDimension = tenantDimension;
    this.queue =
        mode == EmbedOnWrite.QUEUE
            ? new ThreadPoolExecutor(
                1,
                1,
                0,
                TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(queueCapacity),
                r -> {
                  var t = new Thread(r, "allidb-embed-on-write");
                  t.setDaemon(true);
                  return t;
                },
                // a full queue embeds on the writer's thread: back-pressure, nothing dropped
                new ThreadPoolExecutor.CallerRunsPolicy())
            : null;
  }

  private static <T> Supplier<T> memoize(Supplier<T> s) {
    return new Supplier<>() {
      private volatile T value;

      @Override
      public synchronized T get() {
        if (value == null) {
          value = s.get();
        }
        return value;
      }
    };
  }

  /** Where the queue's worker reads and rewrites entities; set once the coordinator exists. */
  public void attach(Store store) {
    this.store = store;
  }

  public EmbedOnWrite mode() {
    return mode;
  }

  /** The provider's dimension, or empty without one (loads the provider). */
  public OptionalInt providerDimension() {
    return provider.get().map(p -> OptionalInt.of(p.dimension())).orElse(OptionalInt.empty());
  }

  /**
   * The request with {@code query_text} embedded into {@code query_vector} when the vector is
   * absent; unchanged otherwise.
   */
  public QueryRequest prepare(String tenant, QueryRequest request) throws IOException {
    if (request.getQueryVectorCount() > 0 || request.getQueryText().isBlank()) {
      return request;
    }
    EmbeddingProvider p = requireProvider("query_text");
    checkTenant(tenant, p, "query_text cannot be searched");
    float[] v = p.embed(request.getQueryText());
    var b = request.toBuilder();
    for (float x : v) {
      b.addQueryVector(x);
    }
    return b.build();
  }

  /**
   * Entities to write, with an embedding added (SYNC) to each that has chunk text and none; the
   * others unchanged. OFF and QUEUE return them as given.
   */
  public List<Entity> beforeWrite(String tenant, List<Entity> entities) throws IOException {
    if (mode != EmbedOnWrite.SYNC) {
      return entities;
    }
    var todo = new ArrayList<Integer>();
    var texts = new ArrayList<String>();
    for (int i = 0; i < entities.size(); i++) {
      Entity e = entities.get(i);
      if (needsEmbedding(e)) {
        todo.add(i);
        texts.add(TextIndex.textOf(e));
      }
    }
    if (todo.isEmpty()) {
      return entities;
    }
    EmbeddingProvider p = requireProvider("embedding on write");
    checkTenant(tenant, p, "entities cannot be embedded on write");
    List<float[]> vectors = p.embedAll(texts);
    var out = new ArrayList<>(entities);
    for (int j = 0; j < todo.size(); j++) {
      int i = todo.get(j);
      out.set(i, withVector(entities.get(i), vectors.get(j)));
    }
    return out;
  }

  /** After a write (QUEUE): schedules the entities that still need an embedding. */
  public void afterWrite(String tenant, List<Entity> written) {
    if (mode != EmbedOnWrite.QUEUE) {
      return;
    }
    for (Entity e : written) {
      if (needsEmbedding(e)) {
        queue.execute(() -> embedLater(tenant, e));
      }
    }
  }

  private void embedLater(String tenant, Entity written) {
    Store s = store;
    try {
      if (s == null) {
        throw new IllegalStateException("no store attached");
      }
      Optional<Entity> current = s.get(tenant, written.getEntityId());
      // a newer write (another text, or a client-sent embedding) wins over this late vector
      if (current.isEmpty()
          || !needsEmbedding(current.get())
          || !TextIndex.textOf(current.get()).equals(TextIndex.textOf(written))) {
        return;
      }
      EmbeddingProvider p = requireProvider("embedding on write");
      checkTenant(tenant, p, "entities cannot be embedded on write");
      s.put(tenant, withVector(current.get(), p.embed(TextIndex.textOf(written))));
    } catch (IOException | RuntimeException e) {
      logger.warn(
          "could not embed {}/{} after its write: {}", tenant, written.getEntityId(), e.toString());
    }
  }

  /** Whether an entity has chunk text and no embedding. */
  public static boolean needsEmbedding(Entity e) {
    return e.getEmbeddingsCount() == 0 && !TextIndex.textOf(e).isEmpty();
  }

  private static Entity withVector(Entity e, float[] v) {
    var emb = VectorEmbedding.newBuilder().setVersion(1);
    for (float x : v) {
      emb.addVector(x);
    }
    return e.toBuilder().addEmbeddings(emb).build();
  }

  private EmbeddingProvider requireProvider(String what) {
    return provider
        .get()
        .orElseThrow(
            () ->
                Status.FAILED_PRECONDITION
                    .withDescription(
                        what
                            + " needs an embedding provider and this node has none (start it with"
                            + " --embedding-provider local|openai|ollama|custom)")
                    .asRuntimeException());
  }

  private void checkTenant(String tenant, EmbeddingProvider p, String consequence) {
    OptionalInt d = tenantDimension.apply(tenant);
    if (d.isPresent() && d.getAsInt() != p.dimension()) {
      throw new IllegalArgumentException(
          "tenant '"
              + tenant
              + "' holds "
              + d.getAsInt()
              + "-dimensional vectors but the embedding provider "
              + p.name()
              + " makes "
              + p.dimension()
              + "-dimensional ones: "
              + consequence
              + " (send vectors of the tenant's dimension, or use a tenant whose vectors come from"
              + " this provider)");
    }
  }

  /** Stops the queue's worker, letting queued embeddings finish for up to five seconds. */
  @Override
  public void close() {
    if (queue != null) {
      queue.shutdown();
      try {
        if (!queue.awaitTermination(5, TimeUnit.SECONDS)) {
          queue.shutdownNow();
        }
      } catch (InterruptedException e) {
        queue.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
  }
}
