package io.allidb.operator.model;

import io.allidb.operator.api.AlliCluster;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The node configuration file ({@code allidb.properties}) the ConfigMap carries. It holds names and
 * paths only: keys, certificates and passwords stay in Secrets (TARGET.md decision 10), and {@link
 * #secretLikeKeys} lets the validator refuse overrides that look like secrets.
 */
public final class NodeConfig {
  public static final String FILE_NAME = "allidb.properties";

  /** Keys the operator sets; a user override of one would desynchronise pods and the ring. */
  public static final Set<String> OPERATOR_KEYS =
      Set.of(
          "cluster.name",
          "cluster.seeds",
          "cluster.initial-node",
          "cluster.replication-factor",
          "cluster.vnodes",
          "cluster.internode-port",
          "server.grpc-port",
          "server.http-port",
          "tls.enabled",
          "tls.internode-dir",
          "tls.internode-peer-names",
          "tls.client-dir",
          "auth.enabled",
          "auth.key-set-dir",
          "storage.data-dir");

  /**
   * Node settings a user may set through {@code spec.config}: the node's config-file keys that the
   * operator does not own (the node refuses any other key, so the validator refuses it first; a
   * test checks this list against the node's).
   */
  public static final Set<String> USER_KEYS =
      Set.of(
          "cluster.default-consistency",
          "cluster.hint-window",
          "cluster.join-timeout",
          "server.max-message-bytes",
          "server.vector-dimension",
          "server.score-weights");

  private static final Set<String> SECRET_WORDS =
      Set.of("password", "secret", "token", "apikey", "api-key", "api_key", "private-key");

  private NodeConfig() {}

  /** The rendered file contents: operator keys, then the user's overrides, sorted. */
  public static String render(AlliCluster cluster) {
    var spec = cluster.getSpec();
    var entries = new TreeMap<String, String>();
    if (spec.getConfig() != null) {
      entries.putAll(spec.getConfig());
    }
    entries.put("cluster.name", cluster.getMetadata().getName());
    entries.put("cluster.seeds", Names.seeds(cluster));
    // the first pod of the first rack starts the ring; every other node joins through the seeds
    var racks = spec.effectiveRacks();
    if (!racks.isEmpty()) {
      entries.put("cluster.initial-node", Names.pod(cluster, racks.get(0).getName(), 0));
    }
    entries.put("cluster.replication-factor", String.valueOf(spec.getReplicationFactor()));
    entries.put("cluster.vnodes", String.valueOf(spec.getVnodes()));
    entries.put("cluster.internode-port", String.valueOf(Ports.INTERNODE));
    entries.put("server.grpc-port", String.valueOf(Ports.GRPC));
    entries.put("server.http-port", String.valueOf(Ports.HTTP));
    entries.put("storage.data-dir", NodeStatefulSet.DATA_PATH);
    var tls = Boolean.TRUE.equals(spec.getTls().getEnabled());
    entries.put("tls.enabled", String.valueOf(tls));
    if (tls) {
      entries.put("tls.internode-dir", NodeStatefulSet.INTERNODE_TLS_PATH);
      // a joining pod is no ring member yet: its peers accept it (and it them) by pod name. Only
      // this cluster's pods hold a certificate from its internode CA, so the name is enough.
      entries.put("tls.internode-peer-names", internodePeerNames(cluster));
      entries.put("tls.client-dir", NodeStatefulSet.CLIENT_TLS_PATH);
    }
    var auth = Boolean.TRUE.equals(spec.getAuth().getEnabled());
    entries.put("auth.enabled", String.valueOf(auth));
    if (auth) {
      entries.put("auth.key-set-dir", NodeStatefulSet.KEY_SET_PATH);
    }
    var out = new StringBuilder("# Rendered by the AlliDB operator; edit spec.config instead.\n");
    entries.forEach((k, v) -> out.append(k).append('=').append(v).append('\n'));
    return out.toString();
  }

  /**
   * The internode names of every pod this cluster may run, as the node's {@code
   * --internode-peer-names} regex: a pod's certificate names the pod first ({@code PodNames}), and
   * pods are {@code <cluster>-<rack>-<ordinal>}. Any rack, so a rack added later joins nodes that
   * started before it; the identity still rests on the chain to this cluster's internode CA.
   * Cluster names are DNS labels ({@code [a-z0-9-]}), literal in a regex, so the value needs no
   * backslash (which the properties file would eat).
   */
  static String internodePeerNames(AlliCluster cluster) {
    return cluster.getMetadata().getName() + "-[a-z0-9-]+-[0-9]+";
  }

  /** Override keys that look like credentials. */
  public static Set<String> secretLikeKeys(Map<String, String> overrides) {
    var found = new TreeMap<String, String>();
    overrides.forEach(
        (k, v) -> {
          var lower = k.toLowerCase(Locale.ROOT);
          if (SECRET_WORDS.stream().anyMatch(lower::contains)) {
            found.put(k, v);
          }
        });
    return found.keySet();
  }
}
