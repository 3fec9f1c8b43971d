package io.allidb.dataplane.security;

import io.allidb.dataplane.security.KeyRejectedException.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An immutable set of API keys, looked up by key id in O(1): a presented key {@code
 * <key-id>.<secret>} is split at the first dot, the id finds the entry, and the SHA-256 of the
 * secret is compared in constant time with the stored one.
 *
 * <p>A key set is read from a path ({@link #load(Path)}) in one of two layouts, the two ways a
 * Kubernetes Secret is mounted:
 *
 * <ul>
 *   <li>a <b>file</b> of lines ({@link KeySetFormat}); or
 *   <li>a <b>directory</b>: every regular file whose name does not start with {@code .} is such a
 *       file (one Secret data item per key, or a few keys per item). Kubernetes' own {@code ..data}
 *       and timestamped entries are skipped; symlinks are followed.
 * </ul>
 *
 * <p>Key ids are unique across the whole set. There is deliberately no method that lists keys or
 * returns a hash: nothing in the node can hand the set out. Thread-safe (immutable).
 */
public final class KeySet {
  private static final Logger logger = LoggerFactory.getLogger(KeySet.class);

  private final Map<String, ApiKeyEntry> byId;
  private final long generation;

  private KeySet(Map<String, ApiKeyEntry> byId, long generation) {
    this.byId = Map.copyOf(byId);
    this.generation = generation;
  }

  /**
   * A key set of {@code entries}.
   *
   * @throws IllegalArgumentException on a duplicate key id
   */
  public static KeySet of(Collection<ApiKeyEntry> entries) {
    var map = new HashMap<String, ApiKeyEntry>();
    for (ApiKeyEntry e : entries) {
      if (map.put(e.id(), e) != null) {
        throw new IllegalArgumentException("duplicate key id " + e.id());
      }
    }
    return new KeySet(map, 0);
  }

  /**
   * Reads a key file or directory (see the class comment).
   *
   * @throws IOException when the path cannot be read
   * @throws IllegalArgumentException for a malformed line (naming file, line and key id) or a key
   *     id that appears twice (naming both files)
   */
  public static KeySet load(Path path) throws IOException {
    return parse(read(path));
  }

  /**
   * Parses what {@link #read(Path)} returned; logs a warning per legacy clear-text key. The
   * generation is the largest {@code # generation:} of the files (0 when none has one).
   */
  static KeySet parse(Map<String, List<String>> files) {
    var map = new HashMap<String, ApiKeyEntry>();
    var origin = new HashMap<String, String>();
    long generation = 0;
    for (var file : files.entrySet()) {
      generation = Math.max(generation, KeySetFormat.generation(file.getValue(), file.getKey()));
      for (ApiKeyEntry e : KeySetFormat.parse(file.getValue(), file.getKey())) {
        String before = origin.put(e.id(), file.getKey());
        if (before != null) {
          throw new IllegalArgumentException(
              "duplicate key id " + e.id() + " in " + before + " and " + file.getKey());
        }
        if (e.legacy()) {
          logger.warn(
              "API key {} in {} uses the legacy clear-text format; replace it with a hashed entry"
                  + " (allidb keys migrate)",
              e.id(),
              file.getKey());
        }
        map.put(e.id(), e);
      }
    }
    return new KeySet(map, generation);
  }

  /**
   * The raw lines of a key file, or of each key file of a directory, keyed by path in name order.
   */
  static Map<String, List<String>> read(Path path) throws IOException {
    var out = new TreeMap<String, List<String>>();
    if (Files.isDirectory(path)) {
      List<Path> files = new ArrayList<>();
      try (Stream<Path> s = Files.list(path)) {
        s.filter(p -> !p.getFileName().toString().startsWith("."))
            .filter(Files::isRegularFile)
            .forEach(files::add);
      }
      for (Path f : files) {
        out.put(f.toString(), Files.readAllLines(f, StandardCharsets.UTF_8));
      }
    } else {
      out.put(path.toString(), Files.readAllLines(path, StandardCharsets.UTF_8));
    }
    return out;
  }

  /** A digest of what {@link #read(Path)} returned, to notice changes cheaply. */
  static byte[] fingerprint(Map<String, List<String>> files) {
    try {
      var md = MessageDigest.getInstance("SHA-256");
      for (var e : files.entrySet()) {
        md.update(e.getKey().getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
        for (String line : e.getValue()) {
          md.update(line.getBytes(StandardCharsets.UTF_8));
          md.update((byte) '\n');
        }
        md.update((byte) 0);
      }
      return md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK ships SHA-256", e);
    }
  }

  /**
   * Authenticates a presented key at {@code now}.
   *
   * @throws KeyRejectedException malformed ({@code <key-id>.<secret>} expected), invalid (unknown
   *     id or wrong secret: one message, so ids cannot be probed), expired, or not yet valid
   */
  public Principal authenticate(String presented, Instant now) throws KeyRejectedException {
    int dot = presented.indexOf('.');
    if (dot <= 0 || dot == presented.length() - 1) {
      throw new KeyRejectedException(
          Reason.MALFORMED, "malformed API key: expected <key-id>.<secret>");
    }
    ApiKeyEntry e = byId.get(presented.substring(0, dot));
    // hash even for an unknown id, so timing does not tell known ids from unknown ones
    byte[] digest = KeySetFormat.sha256(presented.substring(dot + 1));
    if (e == null || !e.matches(digest)) {
      throw new KeyRejectedException(Reason.INVALID, "invalid API key");
    }
    if (e.expiresAt() != null && !now.isBefore(e.expiresAt())) {
      throw new KeyRejectedException(
          Reason.EXPIRED, "API key " + e.id() + " expired at " + e.expiresAt());
    }
    if (e.notBefore() != null && now.isBefore(e.notBefore())) {
      throw new KeyRejectedException(
          Reason.NOT_YET_VALID, "API key " + e.id() + " is not valid before " + e.notBefore());
    }
    return new Principal(e.id(), e.tenant(), e.scopes());
  }

  /**
   * The generation the files named ({@link KeySetFormat#generation}); 0 for a set without one or
   * built with {@link #of}. The node reports it so rotations can wait for every node.
   */
  public long generation() {
    return generation;
  }

  /** Number of keys. */
  public int size() {
    return byId.size();
  }

  /** Number of keys usable at {@code now} (for the start-up log and a metric). */
  public int validAt(Instant now) {
    return (int)
        byId.values().stream()
            .filter(e -> e.expiresAt() == null || now.isBefore(e.expiresAt()))
            .filter(e -> e.notBefore() == null || !now.isBefore(e.notBefore()))
            .count();
  }

  @Override
  public String toString() {
    return "KeySet[" + byId.size() + " keys, generation " + generation + "]";
  }
}
