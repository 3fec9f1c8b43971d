package io.allidb.bench;

import io.allidb.api.proto.Entity;
import io.allidb.dataplane.storage.wal.DurabilityMode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.rocksdb.CompressionType;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Statistics;
import org.rocksdb.TickerType;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * RocksDB configured as a fair, durable peer: the same value bytes we store, the same memtable
 * size, WAL always on, and in sync mode {@code sync=true} on every write so RocksDB's own group
 * commit merges concurrent writers into shared fsyncs, as ours does.
 */
final class RocksDbWriteTarget implements WriteTarget {

  static {
    RocksDB.loadLibrary();
  }

  private final Path dir;
  private final Statistics statistics;
  private final Options options;
  private final WriteOptions writeOptions;
  private final RocksDB db;

  RocksDbWriteTarget(Path dir, DurabilityMode durability) throws IOException {
    this.dir = dir;
    statistics = new Statistics();
    options =
        new Options()
            .setCreateIfMissing(true)
            .setWriteBufferSize(64L << 20) // our memtable default
            .setCompressionType(CompressionType.LZ4_COMPRESSION)
            .setMaxBackgroundJobs(2)
            .setStatistics(statistics);
    // NONE still writes the WAL (to the OS page cache), like our engine; only the fsync is skipped.
    writeOptions =
        new WriteOptions().setSync(durability != DurabilityMode.NONE).setDisableWAL(false);
    try {
      db = RocksDB.open(options, dir.toString());
    } catch (RocksDBException e) {
      writeOptions.close();
      options.close();
      statistics.close();
      throw new IOException("cannot open RocksDB in " + dir, e);
    }
  }

  /** The key layout: tenant, a NUL separator so tenants cannot collide, then the id. */
  static byte[] key(String tenant, String id) {
    byte[] t = tenant.getBytes(StandardCharsets.UTF_8);
    byte[] i = id.getBytes(StandardCharsets.UTF_8);
    byte[] key = new byte[t.length + 1 + i.length];
    System.arraycopy(t, 0, key, 0, t.length);
    System.arraycopy(i, 0, key, t.length + 1, i.length);
    return key;
  }

  @Override
  public void put(String tenant, Entity entity) throws IOException {
    try {
      db.put(writeOptions, key(tenant, entity.getEntityId()), entity.toByteArray());
    } catch (RocksDBException e) {
      throw new IOException(e);
    }
  }

  @Override
  public void putBatch(String tenant, List<Entity> entities) throws IOException {
    try (WriteBatch batch = new WriteBatch()) {
      for (Entity e : entities) {
        batch.put(key(tenant, e.getEntityId()), e.toByteArray());
      }
      db.write(writeOptions, batch);
    } catch (RocksDBException e) {
      throw new IOException(e);
    }
  }

  @Override
  public long walFsyncs() {
    try {
      return statistics.getTickerCount(TickerType.WAL_FILE_SYNCED);
    } catch (RuntimeException e) {
      return -1;
    }
  }

  @Override
  public long walRowsSynced() {
    return -1; // RocksDB has no such ticker; the caller uses rows written instead.
  }

  @Override
  public void close() throws IOException {
    try {
      db.close();
      try {
        RocksDB.destroyDB(dir.toString(), options);
      } catch (RocksDBException e) {
        // The directory is deleted below anyway.
      }
    } finally {
      writeOptions.close();
      options.close();
      statistics.close();
      Dirs.deleteRecursively(dir);
    }
  }
}
