package io.allidb.dataplane.storage;

import io.allidb.dataplane.storage.io.FileIo;
import io.allidb.dataplane.storage.wal.DurabilityMode;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of one {@link StorageEngine}. Build with {@link #builder(Path)}; every setting has a
 * default that suits a 2-core node with a few GiB of heap.
 *
 * @param dataDir directory holding {@code wal/}, {@code sstables/} and the manifest
 * @param durability when writes are acknowledged relative to the WAL fsync
 * @param groupCommitWindow in {@code SYNC} mode, the longest the syncer waits for writers that are
 *     still appending before it fsyncs a group. Larger windows make bigger groups (fewer fsyncs) at
 *     the cost of latency; the syncer never waits when no append is in progress.
 * @param periodicSyncInterval in {@code PERIODIC} mode, the interval between fsyncs (the loss
 *     window on power failure)
 * @param walSegmentBytes WAL segment size before rotation
 * @param memtableBytes memtable size at which it is frozen and flushed. Bigger memtables mean
 *     fewer, larger SSTables and less compaction, and a longer WAL replay after a crash.
 * @param maxFrozenMemtables frozen memtables allowed to wait for their flush before writes stall;
 *     when the flush keeps failing (disk full) writes fail instead of growing memory without bound
 * @param blockBytes target uncompressed size of an SSTable data block. Smaller blocks make point
 *     reads cheaper, larger ones compress better and shrink the block index.
 * @param bloomBitsPerKey bloom filter bits per key; 10 gives about 1% false positives
 * @param compaction size-tiered compaction settings
 * @param gcGrace how long a tombstone is kept before compaction may drop it; repair must run within
 *     this period or deleted data can come back from a replica that missed the delete
 * @param skipCorruptWalRecords replay past a corrupt WAL record that is followed by valid ones
 *     (losing it) instead of refusing to start. For operators who have decided to accept that loss.
 * @param fileIo file-system access (fault injection in tests)
 * @param clock wall clock for timestamps, expiry and gc_grace
 * @param metrics where the engine registers its metrics
 */
public record StorageOptions(
    Path dataDir,
    DurabilityMode durability,
    Duration groupCommitWindow,
    Duration periodicSyncInterval,
    long walSegmentBytes,
    long memtableBytes,
    int maxFrozenMemtables,
    int blockBytes,
    int bloomBitsPerKey,
    CompactionOptions compaction,
    Duration gcGrace,
    boolean skipCorruptWalRecords,
    FileIo fileIo,
    Clock clock,
    PrometheusRegistry metrics) {

  public StorageOptions {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(durability, "durability");
    requireNonNegative("groupCommitWindow", groupCommitWindow);
    requireNonNegative("periodicSyncInterval", periodicSyncInterval);
    requireNonNegative("gcGrace", gcGrace);
    if (walSegmentBytes < 4096) {
      throw new IllegalArgumentException("walSegmentBytes must be >= 4096; got " + walSegmentBytes);
    }
    if (memtableBytes < 4096) {
      throw new IllegalArgumentException("memtableBytes must be >= 4096; got " + memtableBytes);
    }
    if (maxFrozenMemtables < 1) {
      throw new IllegalArgumentException(
          "maxFrozenMemtables must be >= 1; got " + maxFrozenMemtables);
    }
    if (blockBytes < 512 || blockBytes > (1 << 24)) {
      throw new IllegalArgumentException("blockBytes must be in [512, 16 MiB]; got " + blockBytes);
    }
    if (bloomBitsPerKey < 1 || bloomBitsPerKey > 64) {
      throw new IllegalArgumentException(
          "bloomBitsPerKey must be in [1, 64]; got " + bloomBitsPerKey);
    }
    Objects.requireNonNull(compaction, "compaction");
    Objects.requireNonNull(fileIo, "fileIo");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(metrics, "metrics");
  }

  private static void requireNonNegative(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative; got " + d);
    }
  }

  /** Defaults for a data directory. */
  public static Builder builder(Path dataDir) {
    return new Builder(dataDir);
  }

  /** A builder starting from these options. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * Size-tiered compaction settings.
   *
   * @param minThreshold SSTables of similar size needed before they are merged
   * @param maxThreshold most SSTables merged at once
   * @param bucketLow a table joins a bucket when its size is at least this fraction of the bucket's
   *     average
   * @param bucketHigh ... and at most this multiple of it
   * @param minSSTableBytes tables smaller than this all share one bucket, so many tiny flushes
   *     merge early
   * @param bytesPerSecond read throughput cap for compaction I/O, 0 for none
   * @param enabled whether compaction runs in the background (tests may drive it by hand)
   * @param retryInitialBackoff first wait after a failed compaction; doubles with jitter
   * @param retryMaxBackoff longest wait between retries
   */
  public record CompactionOptions(
      int minThreshold,
      int maxThreshold,
      double bucketLow,
      double bucketHigh,
      long minSSTableBytes,
      long bytesPerSecond,
      boolean enabled,
      Duration retryInitialBackoff,
      Duration retryMaxBackoff) {

    public CompactionOptions {
      if (minThreshold < 2 || maxThreshold < minThreshold) {
        throw new IllegalArgumentException(
            "need 2 <= minThreshold <= maxThreshold; got " + minThreshold + ", " + maxThreshold);
      }
      if (!(bucketLow > 0 && bucketLow <= 1 && bucketHigh >= 1)) {
        throw new IllegalArgumentException(
            "need 0 < bucketLow <= 1 <= bucketHigh; got " + bucketLow + ", " + bucketHigh);
      }
      if (bytesPerSecond < 0) {
        throw new IllegalArgumentException("bytesPerSecond must be >= 0; got " + bytesPerSecond);
      }
      requireNonNegative("retryInitialBackoff", retryInitialBackoff);
      requireNonNegative("retryMaxBackoff", retryMaxBackoff);
    }

    /** Cassandra's size-tiered defaults, throttled to 64 MiB/s. */
    public static CompactionOptions defaults() {
      return new CompactionOptions(
          4, 32, 0.5, 1.5, 1L << 20, 64L << 20, true, Duration.ofSeconds(1), Duration.ofMinutes(5));
    }

    public CompactionOptions withEnabled(boolean on) {
      return new CompactionOptions(
          minThreshold,
          maxThreshold,
          bucketLow,
          bucketHigh,
          minSSTableBytes,
          bytesPerSecond,
          on,
          retryInitialBackoff,
          retryMaxBackoff);
    }

    public CompactionOptions withThresholds(int min, int max) {
      return new CompactionOptions(
          min,
          max,
          bucketLow,
          bucketHigh,
          minSSTableBytes,
          bytesPerSecond,
          enabled,
          retryInitialBackoff,
          retryMaxBackoff);
    }

    public CompactionOptions withBytesPerSecond(long rate) {
      return new CompactionOptions(
          minThreshold,
          maxThreshold,
          bucketLow,
          bucketHigh,
          minSSTableBytes,
          rate,
          enabled,
          retryInitialBackoff,
          retryMaxBackoff);
    }

    public CompactionOptions withRetryBackoff(Duration initial, Duration max) {
      return new CompactionOptions(
          minThreshold,
          maxThreshold,
          bucketLow,
          bucketHigh,
          minSSTableBytes,
          bytesPerSecond,
          enabled,
          initial,
          max);
    }
  }

  /** Mutable builder; not thread-safe. */
  public static final class Builder {
    private Path dataDir;
    private DurabilityMode durability = DurabilityMode.SYNC;
    private Duration groupCommitWindow = Duration.ofMillis(2);
    private Duration periodicSyncInterval = Duration.ofMillis(100);
    private long walSegmentBytes = 64L << 20;
    private long memtableBytes = 64L << 20;
    private int maxFrozenMemtables = 2;
    private int blockBytes = 32 << 10;
    private int bloomBitsPerKey = 10;
    private CompactionOptions compaction = CompactionOptions.defaults();
    private Duration gcGrace = Duration.ofDays(10);
    private boolean skipCorruptWalRecords;
    private FileIo fileIo = FileIo.real();
    private Clock clock = Clock.systemUTC();
    private PrometheusRegistry metrics;

    private Builder(Path dataDir) {
      this.dataDir = dataDir;
    }

    private Builder(StorageOptions o) {
      dataDir = o.dataDir;
      durability = o.durability;
      groupCommitWindow = o.groupCommitWindow;
      periodicSyncInterval = o.periodicSyncInterval;
      walSegmentBytes = o.walSegmentBytes;
      memtableBytes = o.memtableBytes;
      maxFrozenMemtables = o.maxFrozenMemtables;
      blockBytes = o.blockBytes;
      bloomBitsPerKey = o.bloomBitsPerKey;
      compaction = o.compaction;
      gcGrace = o.gcGrace;
      skipCorruptWalRecords = o.skipCorruptWalRecords;
      fileIo = o.fileIo;
      clock = o.clock;
      metrics = o.metrics;
    }

    public Builder dataDir(Path v) {
      dataDir = v;
      return this;
    }

    public Builder durability(DurabilityMode v) {
      durability = v;
      return this;
    }

    public Builder groupCommitWindow(Duration v) {
      groupCommitWindow = v;
      return this;
    }

    public Builder periodicSyncInterval(Duration v) {
      periodicSyncInterval = v;
      return this;
    }

    public Builder walSegmentBytes(long v) {
      walSegmentBytes = v;
      return this;
    }

    public Builder memtableBytes(long v) {
      memtableBytes = v;
      return this;
    }

    public Builder maxFrozenMemtables(int v) {
      maxFrozenMemtables = v;
      return this;
    }

    public Builder blockBytes(int v) {
      blockBytes = v;
      return this;
    }

    public Builder bloomBitsPerKey(int v) {
      bloomBitsPerKey = v;
      return this;
    }

    public Builder compaction(CompactionOptions v) {
      compaction = v;
      return this;
    }

    public Builder gcGrace(Duration v) {
      gcGrace = v;
      return this;
    }

    public Builder skipCorruptWalRecords(boolean v) {
      skipCorruptWalRecords = v;
      return this;
    }

    public Builder fileIo(FileIo v) {
      fileIo = v;
      return this;
    }

    public Builder clock(Clock v) {
      clock = v;
      return this;
    }

    /** Registry for the engine's metrics; by default a private one. */
    public Builder metrics(PrometheusRegistry v) {
      metrics = v;
      return this;
    }

    public StorageOptions build() {
      return new StorageOptions(
          dataDir,
          durability,
          groupCommitWindow,
          periodicSyncInterval,
          walSegmentBytes,
          memtableBytes,
          maxFrozenMemtables,
          blockBytes,
          bloomBitsPerKey,
          compaction,
          gcGrace,
          skipCorruptWalRecords,
          fileIo,
          clock,
          metrics != null ? metrics : new PrometheusRegistry());
    }
  }
}
