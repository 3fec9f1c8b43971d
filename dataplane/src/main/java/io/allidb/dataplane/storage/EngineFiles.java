package io.allidb.dataplane.storage;

import io.allidb.dataplane.storage.manifest.Manifest;
import io.allidb.dataplane.storage.manifest.ManifestState;
import io.allidb.dataplane.storage.memtable.Memtable;
import io.allidb.dataplane.storage.row.HybridLogicalClock;
import io.allidb.dataplane.storage.row.Row;
import io.allidb.dataplane.storage.row.RowIterator;
import io.allidb.dataplane.storage.sstable.SSTableFormat;
import io.allidb.dataplane.storage.sstable.SSTableReader;
import io.allidb.dataplane.storage.sstable.SSTableWriter;
import io.allidb.dataplane.storage.wal.WalDamage;
import io.allidb.dataplane.storage.wal.WalListener;
import io.allidb.dataplane.storage.wal.WalOptions;
import io.allidb.dataplane.storage.wal.WalReplayer;
import io.allidb.dataplane.storage.wal.WalWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's files: directory layout, recovery at open, SSTable creation and manifest writes.
 *
 * <pre>
 * dataDir/MANIFEST          live SSTables and the WAL replay start (ManifestFormat)
 * dataDir/wal/wal-*.log     WAL segments (WalFormat)
 * dataDir/sstables/sst-*.db SSTables (SSTableFormat)
 * </pre>
 *
 * Thread-safe; manifest writes are serialized by the engine's state lock.
 */
final class EngineFiles {
  private static final Logger logger = LoggerFactory.getLogger(EngineFiles.class);

  private final StorageOptions options;
  private final Path sstDir;
  private final AtomicLong nextGeneration;

  record Recovered(EngineFiles files, WalWriter wal, View view) {}

  private EngineFiles(StorageOptions options, long nextGeneration) {
    this.options = options;
    this.sstDir = options.dataDir().resolve("sstables");
    this.nextGeneration = new AtomicLong(nextGeneration);
  }

  /** Opens a data directory: manifest, SSTables, WAL replay, fresh WAL segment. */
  static Recovered recover(
      StorageOptions options, HybridLogicalClock clock, WalListener walListener)
      throws IOException {
    var io = options.fileIo();
    Path dataDir = options.dataDir();
    Path walDir = dataDir.resolve("wal");
    Path sstDir = dataDir.resolve("sstables");
    io.createDirectories(walDir);
    io.createDirectories(sstDir);

    ManifestState manifest = Manifest.load(dataDir, io).orElse(null);
    if (manifest == null) {
      if (io.list(sstDir).stream().anyMatch(p -> p.getFileName().toString().endsWith(".db"))) {
        throw new IOException(
            dataDir + ": SSTables present but no MANIFEST; refusing to guess which are live");
      }
      manifest = ManifestState.empty();
      Manifest.write(dataDir, io, manifest);
    }
    var files = new EngineFiles(options, manifest.nextGeneration());
    List<SSTableReader> tables = files.openLiveTables(manifest);
    clock.observe(manifest.maxTimestamp());
    tables.forEach(t -> clock.observe(t.properties().maxTimestamp()));

    List<Memtable> replayed = new ArrayList<>();
    long walStart = manifest.walStartSegment();
    replayed.add(new Memtable(walStart));
    var result =
        WalReplayer.replay(
            walDir,
            walStart,
            io,
            options.skipCorruptWalRecords(),
            batch -> {
              Memtable m = replayed.get(replayed.size() - 1);
              if (m.bytes() >= options.memtableBytes()) {
                // conservative: it shares the start segment, so nothing is deleted too early
                m = new Memtable(walStart);
                replayed.add(m);
              }
              for (Row r : batch) {
                m.put(r);
                clock.observe(r.timestamp());
              }
            });
    for (WalDamage d : result.damage()) {
      logger.warn("WAL recovery: {}", d);
    }
    logger.info(
        "recovered {}: {} SSTables, {} WAL rows in {} records from {} segments",
        dataDir,
        tables.size(),
        result.rows(),
        result.records(),
        result.segments());

    var wal =
        WalWriter.open(
            walDir,
            new WalOptions(
                options.durability(),
                options.groupCommitWindow(),
                options.periodicSyncInterval(),
                options.walSegmentBytes(),
                Math.max(walStart, result.maxSegmentSeq() + 1),
                io,
                walListener));
    var frozen = new ArrayList<Memtable>();
    for (int i = replayed.size() - 1; i >= 0; i--) {
      if (!replayed.get(i).isEmpty()) {
        frozen.add(replayed.get(i)); // newest first
      }
    }
    var view = new View(new Memtable(wal.currentSegmentSeq()), frozen, tables);
    return new Recovered(files, wal, view);
  }

  /** Opens the manifest's tables; deletes every other table file and every leftover temp file. */
  private List<SSTableReader> openLiveTables(ManifestState manifest) throws IOException {
    var io = options.fileIo();
    Set<Path> live = new HashSet<>();
    for (long g : manifest.liveGenerations()) {
      live.add(sstDir.resolve(SSTableFormat.fileName(g)));
    }
    for (Path p : io.list(sstDir)) {
      if (!live.contains(p)) {
        logger.info("deleting {}: not in the manifest (interrupted flush or compaction)", p);
        io.deleteIfExists(p);
      }
    }
    var tables = new ArrayList<SSTableReader>();
    try {
      for (long g : manifest.liveGenerations()) {
        Path p = sstDir.resolve(SSTableFormat.fileName(g));
        if (!java.nio.file.Files.exists(p)) {
          throw new IOException(p + " is named by the MANIFEST but missing");
        }
        tables.add(SSTableReader.open(p, io));
      }
    } catch (IOException e) {
      for (SSTableReader t : tables) {
        t.unref();
      }
      throw e;
    }
    return tables;
  }

  long allocateGeneration() {
    return nextGeneration.getAndIncrement();
  }

  /** A writer for a new SSTable in the table directory. */
  SSTableWriter newTableWriter(long expectedKeys) throws IOException {
    return SSTableWriter.create(
        sstDir,
        allocateGeneration(),
        options.blockBytes(),
        options.bloomBitsPerKey(),
        expectedKeys,
        options.fileIo());
  }

  /** Writes a frozen memtable, tombstones included, as one SSTable (durable on return). */
  SSTableReader writeTable(Memtable m) throws IOException {
    try (var writer = newTableWriter(m.size());
        RowIterator it = m.iterator(null, null)) {
      while (it.hasNext()) {
        writer.add(it.next());
      }
      return writer.finish();
    }
  }

  /** Durably records a view's tables and WAL start. */
  void writeManifest(View v) throws IOException {
    var gens = v.tables.stream().map(SSTableReader::generation).sorted().toList();
    Manifest.write(
        options.dataDir(),
        options.fileIo(),
        new ManifestState(nextGeneration.get(), v.walStartSegment(), v.maxTableTimestamp(), gens));
  }
}
