package io.allidb.dataplane.node;

import io.allidb.api.proto.Entity;
import io.allidb.api.proto.VectorEmbedding;
import io.allidb.dataplane.index.vector.VectorIndexOptions;
import io.allidb.dataplane.index.vector.VectorSnapshotFormat;
import io.allidb.dataplane.storage.StorageOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Random;

/**
 * Measures what ADR 0002 is about: how long an {@link EntityStore} over N stored entities with
 * d-dimensional vectors takes to open after a clean close (snapshot loaded, storage reconciled),
 * and without a snapshot (full rebuild), in the same run. Not a test (no timing assertions); run it
 * by hand, preferably on JDK 25 with the Vector API:
 *
 * <pre>{@code
 * ./mvnw -B -o -q -pl api,dataplane -am test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * /usr/lib/jvm/temurin-25-jdk-amd64/bin/java -Xmx4g --add-modules jdk.incubator.vector \
 *     -cp api/target/classes:dataplane/target/classes:dataplane/target/test-classes:$(cat /tmp/cp.txt) \
 *     io.allidb.dataplane.node.RestartTimeMain 100000 128 /tmp/restart-bench
 * }</pre>
 *
 * <p>Arguments: entity count (default 100000), dimension (default 128), an empty or missing data
 * directory (default: a temporary one), seed (default 42). Vectors are uniform random unit-ish
 * vectors; the index uses the server's defaults.
 */
public final class RestartTimeMain {
  private RestartTimeMain() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int dim = args.length > 1 ? Integer.parseInt(args[1]) : 128;
    Path dir = args.length > 2 ? Path.of(args[2]) : Files.createTempDirectory("restart-bench");
    var rnd = new Random(args.length > 3 ? Long.parseLong(args[3]) : 42);
    var storage = StorageOptions.builder(dir).build();
    var vectors = VectorIndexOptions.defaults();
    System.out.printf(
        "RestartTimeMain: %d entities x %d-d, %d cores, JDK %s, %s%n",
        n, dim, Runtime.getRuntime().availableProcessors(), Runtime.version(), dir);

    long t0 = System.nanoTime();
    try (var store = EntityStore.open(storage, vectors)) {
      for (int from = 0; from < n; from += 1000) {
        var batch = new ArrayList<Entity>();
        for (int i = from; i < Math.min(n, from + 1000); i++) {
          var emb = VectorEmbedding.newBuilder().setVersion(1);
          for (int d = 0; d < dim; d++) {
            emb.addVector((float) rnd.nextGaussian());
          }
          batch.add(Entity.newBuilder().setEntityId("e" + i).addEmbeddings(emb).build());
        }
        store.putBatch("t", batch);
      }
    }
    report("load + clean close (writes the snapshot)", t0);

    t0 = System.nanoTime();
    try (var store = EntityStore.open(storage, vectors)) {
      report("open with the snapshot (load + reconcile)", t0);
      t0 = System.nanoTime();
    }
    report("clean close (rewrites the snapshot)", t0);

    Files.delete(dir.resolve(VectorSnapshotFormat.FILE_NAME));
    t0 = System.nanoTime();
    try (var store = EntityStore.open(storage, vectors)) {
      report("open without a snapshot (full rebuild)", t0);
    }
  }

  private static void report(String what, long startNanos) {
    System.out.printf("%-45s %8.1f s%n", what, (System.nanoTime() - startNanos) / 1e9);
  }
}
