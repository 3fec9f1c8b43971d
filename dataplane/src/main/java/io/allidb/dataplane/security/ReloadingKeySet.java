package io.allidb.dataplane.security;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's current {@link KeySet}, reloaded from its file or directory when it changes, without a
 * restart: a {@link WatchService} on the directory reacts within milliseconds, and a periodic check
 * (default every 10 s) catches what watching misses (Kubernetes updates a mounted Secret by
 * swapping a {@code ..data} symlink, which some file systems do not report for the files behind
 * it).
 *
 * <p>A change is noticed by a SHA-256 over the files' names and contents, so touching a file does
 * not reload. A reload that fails (a malformed line, a half-written file) keeps the previous set
 * and logs an error naming the file and line; the next change retries. Keys removed from the files
 * are refused from the moment the new set is swapped in; calls already authenticated finish.
 *
 * <p>Thread-safe: {@link #get()} is a volatile read. {@link #close()} stops both watchers.
 */
public final class ReloadingKeySet implements Supplier<KeySet>, AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(ReloadingKeySet.class);

  /** How often the files are compared even without a watch event. */
  public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(10);

  private final Path path;
  private final ScheduledExecutorService scheduler;
  private volatile KeySet current;
  private byte[] fingerprint;
  private WatchService watcher;
  private Thread watchThread;
  private volatile boolean closed;

  private ReloadingKeySet(Path path, KeySet initial, byte[] fingerprint) {
    this.path = path;
    this.current = initial;
    this.fingerprint = fingerprint;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "allidb-keyset-check");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Loads the key set at {@code path} and starts watching it.
   *
   * @param checkInterval period of the change check that backs the watch service
   * @throws IOException when the path cannot be read
   * @throws IllegalArgumentException when it is malformed or holds no key: a node never starts with
   *     a key set nobody can use
   */
  public static ReloadingKeySet start(Path path, Duration checkInterval) throws IOException {
    Objects.requireNonNull(path, "path");
    if (checkInterval.isNegative() || checkInterval.isZero()) {
      throw new IllegalArgumentException("checkInterval must be positive; got " + checkInterval);
    }
    Map<String, List<String>> files = KeySet.read(path);
    KeySet initial = KeySet.parse(files);
    if (initial.size() == 0) {
      throw new IllegalArgumentException(path + ": no API keys");
    }
    var r = new ReloadingKeySet(path, initial, KeySet.fingerprint(files));
    long ms = checkInterval.toMillis();
    r.scheduler.scheduleWithFixedDelay(r::check, ms, ms, TimeUnit.MILLISECONDS);
    r.startWatching();
    return r;
  }

  @Override
  public KeySet get() {
    return current;
  }

  /**
   * Re-reads the files now and swaps the set in if they changed; what the periodic check and the
   * watch service run. A failure is logged (naming file and line) and the previous set stays.
   *
   * @return whether a new set was swapped in
   */
  public boolean check() {
    try {
      return reload();
    } catch (IOException | RuntimeException e) {
      // message only: it names file, line and key id by construction, never a secret
      logger.error(
          "API key set {} not reloaded, keeping the previous {} key(s): {}",
          path,
          current.size(),
          e.getMessage());
      return false;
    }
  }

  /**
   * Re-reads the files now and swaps the set in if they changed (the admin API's {@code
   * ReloadSecrets}); unlike {@link #check()} a failure reaches the caller. Either way a file that
   * cannot be read or parsed leaves the previous set in place.
   *
   * @return whether a new set was swapped in
   * @throws IOException naming the path that cannot be read
   * @throws IllegalArgumentException naming the file and line that is malformed
   */
  public synchronized boolean reload() throws IOException {
    if (closed) {
      return false;
    }
    Map<String, List<String>> files;
    try {
      files = KeySet.read(path);
    } catch (IOException e) {
      throw new IOException("cannot read API key set " + path + ": " + e, e);
    }
    byte[] fp = KeySet.fingerprint(files);
    if (Arrays.equals(fp, fingerprint)) {
      return false;
    }
    KeySet next = KeySet.parse(files);
    fingerprint = fp;
    current = next;
    if (next.size() == 0) {
      logger.warn("API key set {} reloaded with no keys: every API call is refused now", path);
    } else {
      logger.info(
          "API key set {} reloaded: {} key(s), generation {}",
          path,
          next.size(),
          next.generation());
    }
    return true;
  }

  /** The path the set is read from (for messages). */
  public Path path() {
    return path;
  }

  private void startWatching() {
    Path dir = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
    try {
      watcher = FileSystems.getDefault().newWatchService();
      dir.register(
          watcher,
          StandardWatchEventKinds.ENTRY_CREATE,
          StandardWatchEventKinds.ENTRY_MODIFY,
          StandardWatchEventKinds.ENTRY_DELETE);
    } catch (IOException | UnsupportedOperationException e) {
      logger.warn("cannot watch {} ({}); relying on the periodic check", dir, e.toString());
      return;
    }
    watchThread = new Thread(this::watchLoop, "allidb-keyset-watch");
    watchThread.setDaemon(true);
    watchThread.start();
  }

  private void watchLoop() {
    while (!closed) {
      try {
        var key = watcher.take();
        key.pollEvents();
        key.reset();
        check();
      } catch (InterruptedException | ClosedWatchServiceException e) {
        return;
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    scheduler.shutdownNow();
    if (watcher != null) {
      try {
        watcher.close();
      } catch (IOException e) {
        logger.debug("closing the key set watcher failed", e);
      }
    }
  }
}
