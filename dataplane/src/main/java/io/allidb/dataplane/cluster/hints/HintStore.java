package io.allidb.dataplane.cluster.hints;

import io.allidb.dataplane.cluster.hints.HintFormat.Hint;
import io.allidb.dataplane.storage.row.Row;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable hints of one coordinator: per target host, a sequence of {@link HintFormat} files,
 * the last one open for appends. {@link HintReplayer} seals and reads them when the target is back
 * and deletes each file once delivered.
 *
 * <p>Appends of one target are serialized by that target's lock and become one write call (one
 * record per row); fsync follows {@link HintOptions#fsyncInterval()}. Thread-safe.
 */
public final class HintStore implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(HintStore.class);

  private final HintOptions options;
  private final Clock clock;
  final HintMetrics metrics;
  private final Map<String, Target> targets = new ConcurrentHashMap<>();
  private final ScheduledExecutorService syncer;
  private volatile boolean closed;

  /** One target host's files; guarded by its own monitor. */
  private static final class Target {
    final String host;
    final TreeMap<Long, Path> sealed = new TreeMap<>();
    long nextSeq = 1;
    FileChannel current;
    Path currentPath;
    long pendingHints;
    long pendingBytes;
    boolean dirty;

    Target(String host) {
      this.host = host;
    }
  }

  private HintStore(HintOptions options, Clock clock, PrometheusRegistry registry) {
    this.options = options;
    this.clock = clock;
    this.metrics = new HintMetrics(registry, this::backlog);
    if (options.fsyncInterval().isZero()) {
      syncer = null;
    } else {
      syncer =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                var t = new Thread(r, "hint-fsync");
                t.setDaemon(true);
                return t;
              });
      long ms = Math.max(1, options.fsyncInterval().toMillis());
      syncer.scheduleWithFixedDelay(this::syncAll, ms, ms, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Opens the hint directory (creating it), finding the files earlier runs left.
   *
   * @throws IOException when the directory cannot be created or listed
   */
  public static HintStore open(HintOptions options, Clock clock, PrometheusRegistry registry)
      throws IOException {
    Files.createDirectories(options.dir());
    var store = new HintStore(options, clock, registry);
    try (Stream<Path> files = Files.list(options.dir())) {
      for (Path p : files.toList()) {
        var name = HintFormat.parseName(p.getFileName().toString());
        if (name.isEmpty()) {
          continue;
        }
        Target t = store.target(name.get().hostId());
        synchronized (t) {
          t.sealed.put(name.get().seq(), p);
          t.nextSeq = Math.max(t.nextSeq, name.get().seq() + 1);
          // approximate until read: records are at least ~40 bytes
          t.pendingBytes += Files.size(p);
          t.pendingHints += countHints(p, name.get().hostId());
        }
      }
    }
    store.targets.values().stream()
        .filter(t -> t.pendingHints > 0)
        .forEach(
            t ->
                logger.info("{} hints pending for {} from an earlier run", t.pendingHints, t.host));
    return store;
  }

  private static long countHints(Path p, String host) throws IOException {
    return HintFormat.decode(p, Files.readAllBytes(p), host).hints().size();
  }

  private Target target(String host) {
    return targets.computeIfAbsent(HintFormat.checkHostId(host), Target::new);
  }

  /**
   * Stores rows for a target host that missed them; returns once they are written (and fsynced when
   * the fsync interval is zero).
   */
  public void add(String host, List<Row> rows) throws IOException {
    if (rows.isEmpty()) {
      return;
    }
    long now = wallMicros();
    var hints = new ArrayList<Hint>(rows.size());
    rows.forEach(r -> hints.add(new Hint(now, r)));
    byte[] bytes = HintFormat.records(hints);
    Target t = target(host);
    synchronized (t) {
      if (closed) {
        throw new IllegalStateException("hint store is closed");
      }
      if (t.current != null && !t.current.isOpen()) {
        seal(t); // closed under us by an interrupted thread: keep what it holds, start a new file
      }
      if (t.current == null) {
        t.currentPath = options.dir().resolve(HintFormat.fileName(host, t.nextSeq++));
        t.current =
            FileChannel.open(
                t.currentPath, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        writeFully(t.current, HintFormat.header(host));
      }
      writeFully(t.current, bytes);
      t.pendingHints += rows.size();
      t.pendingBytes += bytes.length;
      if (options.fsyncInterval().isZero()) {
        t.current.force(false);
      } else {
        t.dirty = true;
      }
      if (t.current.size() >= options.maxFileBytes()) {
        seal(t);
      }
    }
    metrics.written.inc(rows.size());
  }

  private static void writeFully(FileChannel ch, byte[] bytes) throws IOException {
    var buf = ByteBuffer.wrap(bytes);
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }

  /** Closes the target's open file (fsynced) so it can be replayed; guarded by t. */
  private void seal(Target t) throws IOException {
    if (t.current == null) {
      return;
    }
    if (t.current.isOpen()) {
      t.current.force(false);
      t.current.close();
    } else {
      // FileChannel is interruptible: a thread interrupted during I/O on it closed it for everyone.
      // What reached the file is made durable through a fresh descriptor (a torn last record is
      // tolerated by the reader).
      try (var ch = FileChannel.open(t.currentPath, StandardOpenOption.WRITE)) {
        ch.force(false);
      }
    }
    var name = HintFormat.parseName(t.currentPath.getFileName().toString()).orElseThrow();
    t.sealed.put(name.seq(), t.currentPath);
    t.current = null;
    t.currentPath = null;
    t.dirty = false;
  }

  /** Hosts that have hints waiting. */
  public Set<String> targets() {
    var out = new java.util.TreeSet<String>();
    targets.forEach(
        (h, t) -> {
          synchronized (t) {
            if (t.current != null || !t.sealed.isEmpty()) {
              out.add(h);
            }
          }
        });
    return out;
  }

  /** Seals the target's open file and returns all its files, oldest first. */
  public List<Path> sealForReplay(String host) throws IOException {
    Target t = target(host);
    synchronized (t) {
      seal(t);
      return List.copyOf(t.sealed.values());
    }
  }

  /**
   * The target's files last written before {@code cutoffMillis} (the open one sealed if it is one
   * of them), oldest first: the files whose every hint is older than the cutoff.
   */
  List<Path> filesOlderThan(String host, long cutoffMillis) throws IOException {
    Target t = target(host);
    synchronized (t) {
      if (t.current != null && Files.getLastModifiedTime(t.currentPath).toMillis() < cutoffMillis) {
        seal(t);
      }
      var out = new ArrayList<Path>();
      for (Path p : t.sealed.values()) {
        if (Files.getLastModifiedTime(p).toMillis() < cutoffMillis) {
          out.add(p);
        }
      }
      return out;
    }
  }

  /** Reads one file of a target. */
  public HintFormat.Contents read(String host, Path file) throws IOException {
    return HintFormat.decode(file, Files.readAllBytes(file), host);
  }

  /** Deletes a file whose hints were all delivered or dropped. */
  void delete(String host, Path file, long hints) throws IOException {
    Target t = target(host);
    synchronized (t) {
      long size = Files.size(file);
      Files.delete(file);
      t.sealed.values().remove(file);
      t.pendingHints = Math.max(0, t.pendingHints - hints);
      t.pendingBytes = Math.max(0, t.pendingBytes - size);
    }
  }

  /** Sets a damaged file aside as {@code *.corrupt} for inspection; it is never replayed again. */
  void quarantine(String host, Path file, long hints) throws IOException {
    Target t = target(host);
    synchronized (t) {
      long size = Files.size(file);
      Files.move(
          file,
          file.resolveSibling(file.getFileName() + ".corrupt"),
          StandardCopyOption.ATOMIC_MOVE);
      t.sealed.values().remove(file);
      t.pendingHints = Math.max(0, t.pendingHints - hints);
      t.pendingBytes = Math.max(0, t.pendingBytes - size);
    }
    metrics.corruptFiles.inc();
  }

  /** Hints waiting for a host (from this run's counts and the files found at open). */
  public long pending(String host) {
    Target t = targets.get(host);
    if (t == null) {
      return 0;
    }
    synchronized (t) {
      return t.pendingHints;
    }
  }

  private Map<String, HintMetrics.Backlog> backlog() {
    var out = new TreeMap<String, HintMetrics.Backlog>();
    targets.forEach(
        (h, t) -> {
          synchronized (t) {
            out.put(h, new HintMetrics.Backlog(t.pendingHints, t.pendingBytes));
          }
        });
    return out;
  }

  long wallMicros() {
    var now = clock.instant();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
  }

  HintOptions options() {
    return options;
  }

  private void syncAll() {
    for (Target t : targets.values()) {
      synchronized (t) {
        if (t.current != null && t.dirty && t.current.isOpen()) {
          try {
            t.current.force(false);
            t.dirty = false;
          } catch (IOException e) {
            logger.error("fsync of hint file {} failed", t.currentPath, e);
          }
        }
      }
    }
  }

  /** Seals (fsyncs) every open file and stops the fsync thread. */
  @Override
  public void close() throws IOException {
    closed = true;
    if (syncer != null) {
      // not shutdownNow first: interrupting the fsync thread mid-fsync closes the file's channel
      syncer.shutdown();
      try {
        if (!syncer.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)) {
          syncer.shutdownNow();
        }
      } catch (InterruptedException e) {
        syncer.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
    IOException first = null;
    for (Target t : targets.values()) {
      synchronized (t) {
        try {
          seal(t);
        } catch (IOException e) {
          first = first == null ? e : first;
        }
      }
    }
    metrics.unregister();
    if (first != null) {
      throw first;
    }
  }
}
