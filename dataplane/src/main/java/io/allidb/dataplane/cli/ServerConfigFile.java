package io.allidb.dataplane.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The defaults of {@code allidb server} from a configuration file ({@code --config FILE} or {@code
 * $ALLIDB_CONFIG_FILE}) and from the {@code ALLIDB_*} environment a Kubernetes StatefulSet sets.
 * Precedence: a flag on the command line, then the environment, then the file, then the built-in
 * default. The file is a Java properties file; on Kubernetes the operator renders it into a
 * ConfigMap ({@code docs/operator.md}).
 *
 * <p>File keys, each the default of one flag:
 *
 * <pre>
 * cluster.name                 --cluster-name          server.grpc-port          --grpc-port
 * cluster.rack                 --rack                  server.http-port          --http-port
 * cluster.replication-factor   --replication-factor    server.bind               --bind
 * cluster.vnodes               --vnodes                server.max-message-bytes  --max-message-bytes
 * cluster.internode-port       --internode-port        server.vector-dimension   --vector-dimension
 * cluster.default-consistency  --default-consistency   server.score-weights      --score-weights
 * cluster.hint-window          --hint-window           storage.data-dir          --data-dir
 * cluster.join-timeout         --join-timeout          tls.internode-dir         --internode-tls-dir
 * auth.key-set-dir             --api-key-file
 * </pre>
 *
 * and keys with a meaning of their own:
 *
 * <ul>
 *   <li>{@code cluster.seeds}: {@code host:port,...} ({@code --seeds}) or one DNS name ({@code
 *       --seed-dns}, a headless Service);
 *   <li>{@code cluster.initial-node}: the node id that starts a new cluster ({@code --initial-node}
 *       for that node only: every pod reads the same file);
 *   <li>{@code tls.enabled}: {@code true} serves TLS from {@code tls.client-dir} ({@code
 *       --tls-dir}: {@code <node-id>.tls.crt}/{@code .tls.key} when present, as in the operator's
 *       per-pod Secret, else {@code tls.crt}/{@code tls.key}); {@code false} is the explicit choice
 *       of plaintext internode traffic for a cluster node ({@code
 *       --internode-plaintext-for-development});
 *   <li>{@code auth.enabled}: {@code true} requires {@code auth.key-set-dir}.
 * </ul>
 *
 * Environment: {@code ALLIDB_CLUSTER}, {@code ALLIDB_RACK}, {@code ALLIDB_SEEDS}, {@code
 * ALLIDB_REPLICATION_FACTOR}, {@code ALLIDB_VNODES}, {@code ALLIDB_INTERNODE_PORT}, {@code
 * ALLIDB_DATA_DIR} as the keys above, and {@code ALLIDB_ADVERTISE_ADDRESS}: the host of the
 * published address (its port is the internode port).
 *
 * <p>An unknown key is an error naming it: a misspelt setting must not be silently ignored. The
 * file holds no secrets (keys, certificates): it names the files that hold them. Immutable.
 */
final class ServerConfigFile implements CommandLine.IDefaultValueProvider {
  static final String ENV_CONFIG = "ALLIDB_CONFIG_FILE";
  static final String ENV_ADVERTISE = "ALLIDB_ADVERTISE_ADDRESS";

  /** File key to the flag it is the default of. */
  static final Map<String, String> KEY_TO_FLAG;

  /** Environment variable to the flag it is the default of. */
  static final Map<String, String> ENV_TO_FLAG =
      Map.of(
          "ALLIDB_CLUSTER", "--cluster-name",
          "ALLIDB_RACK", "--rack",
          "ALLIDB_REPLICATION_FACTOR", "--replication-factor",
          "ALLIDB_VNODES", "--vnodes",
          "ALLIDB_INTERNODE_PORT", "--internode-port",
          "ALLIDB_DATA_DIR", "--data-dir");

  private static final List<String> SPECIAL_KEYS =
      List.of(
          "cluster.seeds", "cluster.initial-node", "tls.enabled", "tls.client-dir", "auth.enabled");

  static {
    var m = new LinkedHashMap<String, String>();
    m.put("cluster.name", "--cluster-name");
    m.put("cluster.rack", "--rack");
    m.put("cluster.replication-factor", "--replication-factor");
    m.put("cluster.vnodes", "--vnodes");
    m.put("cluster.internode-port", "--internode-port");
    m.put("cluster.default-consistency", "--default-consistency");
    m.put("cluster.hint-window", "--hint-window");
    m.put("cluster.join-timeout", "--join-timeout");
    m.put("server.grpc-port", "--grpc-port");
    m.put("server.http-port", "--http-port");
    m.put("server.bind", "--bind");
    m.put("server.max-message-bytes", "--max-message-bytes");
    m.put("server.vector-dimension", "--vector-dimension");
    m.put("server.score-weights", "--score-weights");
    m.put("storage.data-dir", "--data-dir");
    m.put("tls.internode-dir", "--internode-tls-dir");
    m.put("tls.internode-peer-names", "--internode-peer-names");
    m.put("auth.key-set-dir", "--api-key-file");
    KEY_TO_FLAG = Map.copyOf(m);
  }

  private final Map<String, String> flagDefaults;
  private final String initialNode;
  private final String advertiseHost;
  private final String source;

  private ServerConfigFile(
      Map<String, String> flagDefaults, String initialNode, String advertiseHost, String source) {
    this.flagDefaults = Map.copyOf(flagDefaults);
    this.initialNode = initialNode;
    this.advertiseHost = advertiseHost;
    this.source = source;
  }

  /**
   * The defaults for {@code args} (the arguments after {@code server}) in environment {@code env}.
   *
   * @throws IllegalArgumentException naming the file and key when the file cannot be used
   */
  static ServerConfigFile of(List<String> args, Map<String, String> env) {
    Path file = configPath(args, env);
    Map<String, String> keys = file == null ? Map.of() : read(file);
    String where = file == null ? "the environment" : "config file " + file;
    var defaults = new TreeMap<String, String>();
    keys.forEach(
        (k, v) -> {
          String flag = KEY_TO_FLAG.get(k);
          if (flag != null) {
            defaults.put(flag, v);
          }
        });
    ENV_TO_FLAG.forEach(
        (name, flag) -> {
          String v = env.get(name);
          if (v != null && !v.isBlank()) {
            defaults.put(flag, v.strip());
          }
        });
    String seeds = env.getOrDefault("ALLIDB_SEEDS", keys.get("cluster.seeds"));
    if (seeds != null && !seeds.isBlank()) {
      // host:port pairs are seeds; a bare name is a DNS name whose addresses are the seeds
      defaults.put(seeds.contains(":") ? "--seeds" : "--seed-dns", seeds.strip());
    }
    String tls = keys.get("tls.enabled");
    if (tls != null) {
      if (bool(where, "tls.enabled", tls)) {
        String dir = require(where, keys, "tls.client-dir", "tls.enabled=true");
        // the node picks <node-id>.tls.crt in it (the operator's per-pod Secret) or tls.crt
        defaults.put("--tls-dir", dir);
      } else if (seeds != null && !seeds.isBlank()) {
        // written by whoever wrote the file, never assumed from a missing key
        defaults.put("--internode-plaintext-for-development", "true");
      }
    }
    String auth = keys.get("auth.enabled");
    if (auth != null && bool(where, "auth.enabled", auth)) {
      require(where, keys, "auth.key-set-dir", "auth.enabled=true");
    }
    String advertise = env.get(ENV_ADVERTISE);
    return new ServerConfigFile(
        defaults,
        keys.get("cluster.initial-node"),
        advertise == null || advertise.isBlank() ? null : advertise.strip(),
        where);
  }

  /** {@code --config FILE}/{@code --config=FILE} among {@code args}, else the environment's. */
  static Path configPath(List<String> args, Map<String, String> env) {
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equals("--config") && i + 1 < args.size()) {
        return Path.of(args.get(i + 1));
      }
      if (a.startsWith("--config=")) {
        return Path.of(a.substring("--config=".length()));
      }
    }
    String fromEnv = env.get(ENV_CONFIG);
    return fromEnv == null || fromEnv.isBlank() ? null : Path.of(fromEnv.strip());
  }

  private static Map<String, String> read(Path file) {
    var props = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      props.load(r);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read config file " + file + ": " + e, e);
    }
    var keys = new TreeMap<String, String>();
    var unknown = new TreeSet<String>();
    for (String k : props.stringPropertyNames()) {
      if (KEY_TO_FLAG.containsKey(k) || SPECIAL_KEYS.contains(k)) {
        keys.put(k, props.getProperty(k).strip());
      } else {
        unknown.add(k);
      }
    }
    if (!unknown.isEmpty()) {
      var known = knownKeys();
      throw new IllegalArgumentException(
          "config file "
              + file
              + ": unknown key"
              + (unknown.size() > 1 ? "s " : " ")
              + String.join(", ", unknown.stream().map(k -> "'" + k + "'").toList())
              + "; known keys: "
              + String.join(", ", known));
    }
    return keys;
  }

  static java.util.SortedSet<String> knownKeys() {
    var known = new TreeSet<>(KEY_TO_FLAG.keySet());
    known.addAll(SPECIAL_KEYS);
    return java.util.Collections.unmodifiableSortedSet(known);
  }

  private static boolean bool(String where, String key, String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default ->
          throw new IllegalArgumentException(
              where + ": " + key + " must be true or false; got '" + value + "'");
    };
  }

  private static String require(String where, Map<String, String> keys, String key, String why) {
    String v = keys.get(key);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException(where + ": " + why + " needs " + key);
    }
    return v;
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (arg instanceof OptionSpec option) {
      return flagDefaults.get(option.longestName());
    }
    return null;
  }

  /** The node id that starts a new cluster, or null. */
  String initialNode() {
    return initialNode;
  }

  /** Host of the published internode address from the environment, or null. */
  String advertiseHost() {
    return advertiseHost;
  }

  /** Where the defaults came from, for messages. */
  String source() {
    return source;
  }
}
