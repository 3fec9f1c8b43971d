package io.allidb.dataplane.storage;

import com.google.protobuf.InvalidProtocolBufferException;
import io.allidb.api.proto.Entity;
import io.allidb.dataplane.storage.compaction.CompactionManager;
import io.allidb.dataplane.storage.memtable.Memtable;
import io.allidb.dataplane.storage.row.CorruptRowException;
import io.allidb.dataplane.storage.row.HybridLogicalClock;
import io.allidb.dataplane.storage.row.LastWriteWins;
import io.allidb.dataplane.storage.row.MergingIterator;
import io.allidb.dataplane.storage.row.Row;
import io.allidb.dataplane.storage.row.RowCodec;
import io.allidb.dataplane.storage.row.RowKey;
import io.allidb.dataplane.storage.sstable.SSTableReader;
import io.allidb.dataplane.storage.wal.WalWriter;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single-node LSM storage engine: WAL, memtables, SSTables, compaction.
 *
 * <p><b>Write path.</b> A write takes a timestamp from the hybrid logical clock, appends one WAL
 * record (a batch is one record, so it survives a crash whole or not at all), waits for the group
 * fsync in {@code SYNC} mode, inserts into the active memtable and returns. A full memtable is
 * frozen and flushed in the background while writes continue into a fresh one; the WAL segments a
 * memtable used are deleted only after its SSTable and the manifest naming it are durable.
 *
 * <p><b>Read path.</b> Reads take an immutable {@link View} (active memtable, frozen memtables,
 * live SSTables), merge every version of a key and return the {@link LastWriteWins} winner;
 * tombstones and expired rows read as absent.
 *
 * <p><b>Open.</b> Reads the manifest, deletes files it does not name (leftovers of an interrupted
 * flush or compaction), opens the SSTables, replays the WAL from the manifest's start segment and
 * seeds the clock past every timestamp found, so timestamps stay monotonic across restarts.
 *
 * <p>Thread-safe: any number of concurrent readers and writers. See {@code docs/storage.md}.
 */
public final class StorageEngine implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(StorageEngine.class);
  private static final int MAX_SCAN_LIMIT = 10_000;
  private static final long SLOWDOWN_NANOS = 100_000;

  private final StorageOptions options;
  private final EngineFiles files;
  private final HybridLogicalClock clock;
  private final WalWriter wal;
  private final StorageMetrics metrics;
  private final Flusher flusher;
  private final CompactionManager compactions;

  /** Read lock: a write in flight (WAL append + memtable insert). Write lock: memtable switch. */
  private final ReentrantReadWriteLock switchLock = new ReentrantReadWriteLock();

  /** Guards view changes and manifest writes. */
  private final Object stateLock = new Object();

  private final AtomicLong rowsWritten = new AtomicLong();
  private final AtomicBoolean switching = new AtomicBoolean();
  private volatile View view;
  private volatile boolean closed;

  private StorageEngine(
      StorageOptions options,
      StorageMetrics metrics,
      EngineFiles files,
      HybridLogicalClock clock,
      WalWriter wal,
      View view) {
    this.options = options;
    this.metrics = metrics;
    this.files = files;
    this.clock = clock;
    this.wal = wal;
    this.view = view;
    this.flusher = new Flusher(this, options.compaction());
    this.compactions =
        new CompactionManager(
            new CompactionHostImpl(this), options.compaction(), options.gcGrace());
  }

  /**
   * Opens (or creates) the engine in {@code options.dataDir()}, recovering from the WAL.
   *
   * @throws IOException when the directory cannot be recovered; the message names the file, offset
   *     and reason (a corrupt WAL record in the middle of the log refuses to start unless {@link
   *     StorageOptions#skipCorruptWalRecords()} is set)
   */
  public static StorageEngine open(StorageOptions options) throws IOException {
    var clock = new HybridLogicalClock(options.clock());
    var self = new AtomicReference<StorageEngine>();
    var metrics =
        new StorageMetrics(options.metrics(), () -> self.get() == null ? null : self.get().stats());
    var recovered = EngineFiles.recover(options, clock, new WalMetricsListener(metrics));
    var engine =
        new StorageEngine(
            options, metrics, recovered.files(), clock, recovered.wal(), recovered.view());
    self.set(engine);
    engine.flusher.start();
    engine.compactions.start();
    if (!recovered.view().frozen.isEmpty()) {
      engine.flusher.signal();
    }
    return engine;
  }

  // ---------------------------------------------------------------- writes

  /** Stores an entity; returns its write timestamp. */
  public long put(String tenant, Entity entity) throws IOException {
    return put(tenant, entity, Duration.ZERO);
  }

  /**
   * Stores an entity that reads as deleted once {@code ttl} has passed ({@link Duration#ZERO}: no
   * expiry). The entity's {@code tenant_id} must be empty or equal to {@code tenant}.
   *
   * @return the write timestamp (HLC microseconds)
   */
  public long put(String tenant, Entity entity, Duration ttl) throws IOException {
    Row row = toRow(tenant, entity, ttl, clock.now());
    write(List.of(row));
    return row.timestamp();
  }

  /**
   * Stores entities atomically: after a crash either all of them are there or none. Each row gets
   * its own timestamp; returns the greatest.
   */
  public long putBatch(String tenant, List<Entity> entities) throws IOException {
    if (entities.isEmpty()) {
      throw new IllegalArgumentException("batch is empty");
    }
    var rows = new ArrayList<Row>(entities.size());
    for (Entity e : entities) {
      rows.add(toRow(tenant, e, Duration.ZERO, clock.now()));
    }
    write(rows);
    return rows.get(rows.size() - 1).timestamp();
  }

  /** Deletes an entity (writes a tombstone); returns the tombstone's timestamp. */
  public long delete(String tenant, String id) throws IOException {
    Row row = Row.tombstone(RowKey.of(tenant, id), clock.now());
    write(List.of(row));
    return row.timestamp();
  }

  /**
   * Applies rows that already carry their timestamps (replica writes, hints, repair). Older rows
   * than the stored ones are kept in the log but lose every read and merge.
   */
  public void apply(List<Row> rows) throws IOException {
    if (rows.isEmpty()) {
      return;
    }
    for (Row r : rows) {
      clock.observe(r.timestamp());
    }
    write(rows);
  }

  private Row toRow(String tenant, Entity entity, Duration ttl, long timestamp) {
    var key = RowKey.of(tenant, entity.getEntityId());
    if (!entity.getTenantId().isEmpty() && !entity.getTenantId().equals(tenant)) {
      throw new IllegalArgumentException(
          "entity "
              + entity.getEntityId()
              + " names tenant '"
              + entity.getTenantId()
              + "' but is written for tenant '"
              + tenant
              + "'");
    }
    if (ttl.isNegative()) {
      throw new IllegalArgumentException("ttl must not be negative; got " + ttl);
    }
    long expiresAt =
        ttl.isZero() ? 0 : clock.wallMicros() + TimeUnit.NANOSECONDS.toMicros(ttl.toNanos());
    Entity stored =
        entity.getTenantId().equals(tenant)
            ? entity
            : entity.toBuilder().setTenantId(tenant).build();
    return new Row(key, timestamp, false, expiresAt, EntityCodec.encode(stored));
  }

  private void write(List<Row> rows) throws IOException {
    awaitMemtableRoom();
    long bytes = 0;
    switchLock.readLock().lock();
    try {
      checkOpen();
      long lsn = wal.append(rows);
      wal.awaitDurable(lsn);
      Memtable active = view.active;
      for (Row r : rows) {
        active.put(r);
        bytes += RowCodec.encodedSize(r);
      }
    } finally {
      switchLock.readLock().unlock();
    }
    rowsWritten.addAndGet(rows.size());
    metrics.writes.inc(rows.size());
    metrics.writeBytes.inc(bytes);
    // One writer switches; the others carry on instead of queueing for the write lock one by one.
    if (view.active.bytes() >= options.memtableBytes() && switching.compareAndSet(false, true)) {
      try {
        switchMemtable(false);
      } finally {
        switching.set(false);
      }
    }
  }

  /** Backpressure: a full active memtable waits while every frozen slot is still flushing. */
  private void awaitMemtableRoom() throws IOException {
    while (true) {
      View v = view;
      boolean slotsBusy = v.frozen.size() >= options.maxFrozenMemtables();
      if (!slotsBusy) {
        return;
      }
      if (v.active.bytes() < options.memtableBytes()) {
        if (v.active.bytes() > options.memtableBytes() / 2) {
          // Write slowdown (RocksDB's delayed writes): while every frozen slot is still flushing,
          // each write past half a memtable yields a little CPU to the flush thread, which
          // otherwise competes with every writer for two cores and loses; without it writers
          // fill the memtable and then stop dead for a whole flush (p99 of 0.4-1 s).
          LockSupport.parkNanos(SLOWDOWN_NANOS);
        }
        return;
      }
      flusher.awaitProgress(100, v.frozen.size());
      checkOpen();
    }
  }

  /** Freezes the active memtable and starts a WAL segment for the next one. */
  private void switchMemtable(boolean force) throws IOException {
    switchLock.writeLock().lock();
    try {
      View v = view;
      boolean full = v.active.bytes() >= options.memtableBytes();
      if (v.active.isEmpty()
          || (!force && (!full || v.frozen.size() >= options.maxFrozenMemtables()))) {
        return;
      }
      checkOpen();
      long segment = wal.rotate();
      synchronized (stateLock) {
        view = view.withActive(new Memtable(segment));
      }
    } finally {
      switchLock.writeLock().unlock();
    }
    flusher.signal();
  }

  // ---------------------------------------------------------------- reads

  /** The live entity for a key, or empty when absent, deleted or expired. */
  public Optional<Entity> get(String tenant, String id) throws IOException {
    Optional<Row> row = getRow(RowKey.of(tenant, id));
    if (row.isEmpty() || row.get().isDeletedAt(clock.wallMicros())) {
      return Optional.empty();
    }
    return Optional.of(decode(row.get()));
  }

  /** The winning version of a key, tombstones and expired rows included. */
  public Optional<Row> getRow(RowKey key) throws IOException {
    checkOpen();
    View v = acquireView();
    try {
      Row best = null;
      for (Memtable m : v.memtables()) {
        Row r = m.get(key).orElse(null);
        best = best == null ? r : (r == null ? best : LastWriteWins.resolve(best, r));
      }
      for (SSTableReader t : v.tables) {
        if (best != null && best.timestamp() > t.properties().maxTimestamp()) {
          break; // tables are ordered by max timestamp: nothing later can win
        }
        if (t.mightContain(key)) {
          Row r = t.get(key).orElse(null);
          best = best == null ? r : (r == null ? best : LastWriteWins.resolve(best, r));
        }
      }
      return Optional.ofNullable(best);
    } finally {
      v.release();
    }
  }

  /**
   * Scans a tenant's live entities with ids in {@code [startId, endId)} in id order.
   *
   * @param startId first id, or empty for the tenant's first entity
   * @param endId exclusive end, or empty for the tenant's last entity
   * @param limit page size, 1..10000
   * @param pageToken empty for the first page, else the previous page's {@link
   *     ScanPage#nextPageToken()}
   * @throws IllegalArgumentException for a bad limit or a malformed or foreign page token
   */
  public ScanPage scan(String tenant, String startId, String endId, int limit, String pageToken)
      throws IOException {
    if (limit < 1 || limit > MAX_SCAN_LIMIT) {
      throw new IllegalArgumentException(
          "limit must be in [1, " + MAX_SCAN_LIMIT + "]; got " + limit);
    }
    RowKey from = RowKey.lowerBound(tenant, startId);
    String after = pageToken.isEmpty() ? null : PageToken.decode(tenant, pageToken);
    if (after != null) {
      RowKey resume = RowKey.lowerBound(tenant, after);
      if (resume.compareTo(from) > 0) {
        from = resume;
      }
    }
    RowKey to = endId.isEmpty() ? RowKey.tenantEnd(tenant) : RowKey.lowerBound(tenant, endId);
    checkOpen();
    long now = clock.wallMicros();
    View v = acquireView();
    try (var it = new MergingIterator(v.iterators(from, to))) {
      var out = new ArrayList<Entity>(Math.min(limit, 1024));
      String lastId = null;
      boolean more = false;
      while (it.hasNext()) {
        Row r = it.next();
        if (!r.key().tenant().equals(tenant)) {
          throw new IllegalStateException("scan crossed into tenant " + r.key().tenant());
        }
        if (r.isDeletedAt(now) || r.key().id().equals(after)) {
          continue;
        }
        if (out.size() == limit) {
          more = true;
          break;
        }
        out.add(decode(r));
        lastId = r.key().id();
      }
      return new ScanPage(out, more ? PageToken.encode(tenant, lastId) : "");
    } finally {
      v.release();
    }
  }

  /** A page of {@link #scanRows}: rows in id order, and whether the key range ended. */
  public record RowPage(List<Row> rows, boolean exhausted) {}

  /**
   * Scans a tenant's winning rows (tombstones and expired rows included, so replicas can be merged
   * last-write-wins) with ids from {@code fromId} up to {@code endId} (exclusive) in id order,
   * keeping those {@code accept} takes. Used by replicas to serve cluster scans restricted to token
   * ranges.
   *
   * @param fromId where to start, or empty for the tenant's first id
   * @param fromInclusive whether a row with id {@code fromId} is returned (a first page) or not (a
   *     page resuming after it)
   * @param endId exclusive end, or empty for the tenant's last id
   * @param limit most rows returned, 1..10000
   */
  public RowPage scanRows(
      String tenant,
      String fromId,
      boolean fromInclusive,
      String endId,
      int limit,
      Predicate<RowKey> accept)
      throws IOException {
    if (limit < 1 || limit > MAX_SCAN_LIMIT) {
      throw new IllegalArgumentException(
          "limit must be in [1, " + MAX_SCAN_LIMIT + "]; got " + limit);
    }
    RowKey from = RowKey.lowerBound(tenant, fromId);
    RowKey to = endId.isEmpty() ? RowKey.tenantEnd(tenant) : RowKey.lowerBound(tenant, endId);
    String skip = fromInclusive ? null : fromId;
    checkOpen();
    View v = acquireView();
    try (var it = new MergingIterator(v.iterators(from, to))) {
      var out = new ArrayList<Row>(Math.min(limit, 1024));
      while (it.hasNext()) {
        Row r = it.next();
        if (r.key().id().equals(skip) || !accept.test(r.key())) {
          continue;
        }
        if (out.size() == limit) {
          return new RowPage(out, false);
        }
        out.add(r);
      }
      return new RowPage(out, true);
    } finally {
      v.release();
    }
  }

  /**
   * A page of every tenant's winning rows (tombstones and expired rows included) after {@code
   * after} in key order (tenant, then id), keeping those {@code accept} takes: the source side of
   * range streaming and repair, which move rows exactly as stored so last-write-wins resolves them
   * on the receiver as it would have locally.
   *
   * @param after exclusive position, or null for the first key
   * @param limit most rows returned, 1..10000
   * @param maxBytes the page ends after the row that reaches this many value bytes
   */
  public RowPage scanAllRows(RowKey after, int limit, long maxBytes, Predicate<RowKey> accept)
      throws IOException {
    if (limit < 1 || limit > MAX_SCAN_LIMIT) {
      throw new IllegalArgumentException(
          "limit must be in [1, " + MAX_SCAN_LIMIT + "]; got " + limit);
    }
    checkOpen();
    View v = acquireView();
    try (var it = new MergingIterator(v.iterators(after, null))) {
      var out = new ArrayList<Row>(Math.min(limit, 1024));
      long bytes = 0;
      while (it.hasNext()) {
        Row r = it.next();
        if (r.key().equals(after) || !accept.test(r.key())) {
          continue;
        }
        if (out.size() == limit || bytes >= maxBytes) {
          return new RowPage(out, false);
        }
        out.add(r);
        bytes += r.value().length + r.key().encodedSize();
      }
      return new RowPage(out, true);
    } finally {
      v.release();
    }
  }

  /** Receives the rows of {@link #forEachRow}. */
  @FunctionalInterface
  public interface RowConsumer {
    void accept(Row row) throws IOException;
  }

  /**
   * Calls {@code consumer} with the winning row of every key {@code accept} takes (every tenant,
   * tombstones and expired rows included), in key order, over one snapshot of memtables and
   * SSTables: what a Merkle tree of this node's data is built from.
   */
  public void forEachRow(Predicate<RowKey> accept, RowConsumer consumer) throws IOException {
    checkOpen();
    View v = acquireView();
    try (var it = new MergingIterator(v.iterators(null, null))) {
      while (it.hasNext()) {
        Row r = it.next();
        if (accept.test(r.key())) {
          consumer.accept(r);
        }
      }
    } finally {
      v.release();
    }
  }

  // ---------------------------------------------------------------- full scan (index rebuild)

  /** Receives the live entities of {@link #forEachLive}. */
  @FunctionalInterface
  public interface LiveEntityConsumer {
    void accept(String tenant, Entity entity) throws IOException;
  }

  /**
   * Calls {@code consumer} with every live entity of every tenant, in key order (tenant, then id),
   * skipping deleted and expired rows. Used to rebuild in-memory indexes at start.
   *
   * <p>Reads one snapshot of the SSTables, which stay pinned until the scan ends; memtable rows
   * written during the scan may or may not be seen, so run it before serving writes.
   */
  public void forEachLive(LiveEntityConsumer consumer) throws IOException {
    checkOpen();
    long now = clock.wallMicros();
    View v = acquireView();
    try (var it = new MergingIterator(v.iterators(null, null))) {
      while (it.hasNext()) {
        Row r = it.next();
        if (!r.isDeletedAt(now)) {
          consumer.accept(r.key().tenant(), decode(r));
        }
      }
    } finally {
      v.release();
    }
  }

  private View acquireView() {
    while (true) {
      View v = view;
      if (v.tryAcquire()) {
        return v;
      }
    }
  }

  private static Entity decode(Row row) throws IOException {
    try {
      return EntityCodec.decode(row.value());
    } catch (InvalidProtocolBufferException e) {
      throw new CorruptRowException(
          "stored entity " + row.key() + " does not decode: " + e.getMessage());
    }
  }

  // ---------------------------------------------------------------- maintenance

  /** Freezes the active memtable and waits until every memtable is in an SSTable. */
  public void flush() throws IOException {
    switchMemtable(true);
    flusher.awaitAllFlushed();
  }

  /** Compacts every live SSTable into one (a major compaction) and waits for it. */
  public void compact() throws IOException {
    checkOpen();
    compactions.compactAll();
  }

  /**
   * What {@link #cleanup} dropped.
   *
   * @param rowsDropped keys dropped (every stored version of each, tombstones included)
   * @param bytesDropped encoded bytes of their winning rows
   * @param droppedLive the dropped keys that were live, for the caller's indexes
   */
  public record CleanupResult(long rowsDropped, long bytesDropped, List<RowKey> droppedLive) {}

  /**
   * Drops every key {@code keep} refuses: flushes the memtables, then rewrites every SSTable into
   * one without those keys (tombstones and expired rows included, regardless of gc_grace), through
   * the compaction thread so no other compaction touches the tables meanwhile. Crash-safe like a
   * compaction: the new table is fsynced and swapped in by the manifest, and a crash before the
   * swap leaves the old tables live. Rows of refused keys written after the flush stay (they are in
   * the memtable); a later cleanup drops them.
   */
  public CleanupResult cleanup(Predicate<RowKey> keep) throws IOException {
    checkOpen();
    flush();
    var r = compactions.cleanup(keep);
    return new CleanupResult(r.rowsDropped(), r.bytesDropped(), r.droppedLive());
  }

  public StorageStats stats() {
    View v = view;
    var w = wal.stats();
    return new StorageStats(
        rowsWritten.get(),
        w.fsyncs(),
        w.rowsSynced(),
        v.memtableBytes(),
        flusher.flushes(),
        v.tables.size(),
        v.tables.stream().mapToLong(SSTableReader::fileBytes).sum(),
        compactions.completed(),
        compactions.failures());
  }

  /** The clock this engine stamps writes with. */
  public HybridLogicalClock clock() {
    return clock;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("storage engine is closed");
    }
  }

  /**
   * Stops background work and closes the WAL (fsyncing it). Memtables are not flushed: their rows
   * are in the WAL and come back at the next open. Call {@link #flush()} first for a fast restart.
   */
  @Override
  public void close() throws IOException {
    switchLock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
    } finally {
      switchLock.writeLock().unlock();
    }
    compactions.close();
    flusher.close();
    wal.close();
    synchronized (stateLock) {
      view.release();
    }
    metrics.unregister();
    logger.info("storage engine closed: {}", options.dataDir());
  }

  // ---------------------------------------------------------------- hooks for Flusher / compaction

  View view() {
    return view;
  }

  StorageMetrics metrics() {
    return metrics;
  }

  /** Writes a frozen memtable to an SSTable and makes it live; deletes WAL segments it covered. */
  void flushMemtable(Memtable m) throws IOException {
    SSTableReader table = files.writeTable(m);
    long walStart;
    synchronized (stateLock) {
      View next = view.withFlushed(m, table);
      try {
        files.writeManifest(next);
      } catch (IOException e) {
        table.markObsolete();
        table.unref();
        throw e;
      }
      view = next;
      walStart = next.walStartSegment();
    }
    wal.deleteSegmentsBefore(walStart);
    compactions.signal();
  }

  /** Replaces compaction inputs by its outputs in the view and the manifest. */
  void replaceTables(List<SSTableReader> inputs, List<SSTableReader> outputs) throws IOException {
    synchronized (stateLock) {
      View next = view.withCompacted(inputs, outputs);
      files.writeManifest(next);
      view = next;
    }
    for (SSTableReader t : inputs) {
      t.markObsolete();
      t.unref(); // the view's reference; the file goes when the last reader lets go
    }
  }

  EngineFiles files() {
    return files;
  }
}
