package io.allidb.dataplane.storage;

import io.allidb.api.proto.Entity;
import io.allidb.api.proto.TextChunk;
import io.allidb.dataplane.storage.StorageOptions.CompactionOptions;
import io.allidb.dataplane.storage.wal.DurabilityMode;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Child-JVM workload for {@link CrashRecoveryIT}: concurrent writers in {@code SYNC} mode that
 * print {@code ACK} lines only after the engine acknowledged a write. The parent kills this JVM
 * with SIGKILL at a random moment and checks the data against the acknowledgements.
 *
 * <p>Arguments: data directory, writer count, seed, generation (distinguishes the runs over one
 * directory). Each batch writes 1-4 fresh keys {@code g<gen>-w<writer>-b<n>x<size>-<i>}; every
 * fifth batch instead overwrites a key acknowledged earlier in this run with a higher version.
 * Output lines: {@code ACK <key>=<version>[,<key>=<version>...]}.
 */
public final class CrashWriterMain {
  private CrashWriterMain() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int writers = Integer.parseInt(args[1]);
    long seed = Long.parseLong(args[2]);
    int generation = Integer.parseInt(args[3]);
    var options =
        StorageOptions.builder(dir)
            .durability(DurabilityMode.SYNC)
            .memtableBytes(128 << 10)
            .walSegmentBytes(64 << 10)
            .blockBytes(4 << 10)
            .compaction(CompactionOptions.defaults().withThresholds(2, 6).withBytesPerSecond(0))
            .build();
    var engine = StorageEngine.open(options);
    PrintStream out =
        new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false);
    var batches = new AtomicLong();
    var threads = new ArrayList<Thread>();
    for (int w = 0; w < writers; w++) {
      int writer = w;
      var t =
          new Thread(
              () -> write(engine, out, new Random(seed * 31 + writer), generation, writer, batches),
              "crash-writer-" + w);
      threads.add(t);
      t.start();
    }
    System.err.println("READY");
    for (Thread t : threads) {
      t.join();
    }
  }

  private static void write(
      StorageEngine engine, PrintStream out, Random rnd, int gen, int writer, AtomicLong batches) {
    var acked = new ArrayList<String>();
    int version = 1;
    try {
      while (true) {
        long b = batches.incrementAndGet();
        var line = new StringBuilder("ACK ");
        if (b % 5 == 0 && !acked.isEmpty()) {
          String key = acked.get(rnd.nextInt(acked.size()));
          version++;
          engine.put("crash", entity(key, version));
          line.append(key).append('=').append(version);
        } else {
          int size = 1 + rnd.nextInt(4);
          List<Entity> batch = new ArrayList<>(size);
          for (int i = 0; i < size; i++) {
            batch.add(entity("g" + gen + "-w" + writer + "-b" + b + "x" + size + "-" + i, 1));
          }
          if (size == 1) {
            engine.put("crash", batch.get(0));
          } else {
            engine.putBatch("crash", batch);
          }
          for (int i = 0; i < size; i++) {
            String key = batch.get(i).getEntityId();
            acked.add(key);
            line.append(i == 0 ? "" : ",").append(key).append("=1");
          }
        }
        synchronized (out) {
          out.println(line);
          out.flush();
        }
      }
    } catch (Exception e) {
      e.printStackTrace();
      System.exit(3);
    }
  }

  /** An entity whose text says its version, padded so flushes happen often. */
  static Entity entity(String id, int version) {
    return Entity.newBuilder()
        .setEntityId(id)
        .setEntityType("crash")
        .addChunks(TextChunk.newBuilder().setChunkId(id).setText(version + ":" + "p".repeat(200)))
        .build();
  }
}
