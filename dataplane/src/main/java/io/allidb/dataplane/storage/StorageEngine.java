package io.allidb.dataplane.storage;

import io.allidb.api.proto.Entity;
import io.allidb.dataplane.storage.row.Row;
import io.allidb.dataplane.storage.row.RowKey;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The single-node LSM storage engine. (Skeleton: the implementation lands next.) */
public final class StorageEngine implements AutoCloseable {

  private StorageEngine() {}

  public static StorageEngine open(StorageOptions options) throws IOException {
    throw new UnsupportedOperationException("not yet");
  }

  public long put(String tenant, Entity entity) throws IOException {
    return put(tenant, entity, Duration.ZERO);
  }

  public long put(String tenant, Entity entity, Duration ttl) throws IOException {
    throw new UnsupportedOperationException("not yet");
  }

  public long putBatch(String tenant, List<Entity> entities) throws IOException {
    throw new UnsupportedOperationException("not yet");
  }

  public Optional<Entity> get(String tenant, String id) throws IOException {
    throw new UnsupportedOperationException("not yet");
  }

  public long delete(String tenant, String id) throws IOException {
    throw new UnsupportedOperationException("not yet");
  }

  public ScanPage scan(String tenant, String startId, String endId, int limit, String pageToken)
      throws IOException {
    throw new UnsupportedOperationException("not yet");
  }

  public void apply(List<Row> rows) throws IOException {
    throw new UnsupportedOperationException("not yet");
  }

  public Optional<Row> getRow(RowKey key) throws IOException {
    throw new UnsupportedOperationException("not yet");
  }

  public void flush() throws IOException {
    throw new UnsupportedOperationException("not yet");
  }

  public void compact() throws IOException {
    throw new UnsupportedOperationException("not yet");
  }

  public StorageStats stats() {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public void close() throws IOException {}
}
