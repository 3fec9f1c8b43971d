package io.allidb.bench;

import io.allidb.api.proto.Entity;
import io.allidb.dataplane.storage.StorageEngine;
import io.allidb.dataplane.storage.StorageOptions;
import io.allidb.dataplane.storage.StorageStats;
import io.allidb.dataplane.storage.wal.DurabilityMode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Our storage engine with default options apart from durability. */
final class AllidbWriteTarget implements WriteTarget {

  private final Path dir;
  private final StorageEngine engine;

  AllidbWriteTarget(Path dir, DurabilityMode durability) throws IOException {
    this.dir = dir;
    // Defaults on purpose: the figures should describe what users get out of the box.
    this.engine = StorageEngine.open(StorageOptions.builder(dir).durability(durability).build());
  }

  @Override
  public void put(String tenant, Entity entity) throws IOException {
    engine.put(tenant, entity);
  }

  @Override
  public void putBatch(String tenant, List<Entity> entities) throws IOException {
    engine.putBatch(tenant, entities);
  }

  @Override
  public long walFsyncs() {
    return stats().walFsyncs();
  }

  @Override
  public long walRowsSynced() {
    return stats().walRowsSynced();
  }

  private StorageStats stats() {
    return engine.stats();
  }

  @Override
  public void close() throws IOException {
    try {
      engine.close();
    } finally {
      Dirs.deleteRecursively(dir);
    }
  }
}
