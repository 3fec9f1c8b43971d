package io.allidb.operator;

import java.util.Map;
import java.util.Set;

/**
 * Operator settings, from the environment (the Helm chart sets them).
 *
 * @param serverSideApply apply objects with SSA (real API servers); off only for the mock server
 * @param namespaces namespaces to watch; empty means all
 * @param leaseNamespace namespace of the leader-election Lease; null disables leader election
 * @param identity this replica's identity in the election (the pod name)
 * @param metricsPort port of the Prometheus endpoint; 0 disables it
 */
public record OperatorConfig(
    boolean serverSideApply,
    Set<String> namespaces,
    String leaseNamespace,
    String identity,
    int metricsPort) {

  public static final String LEASE_NAME = "allidb-operator-lock";

  /**
   * Reads ALLIDB_OPERATOR_SSA, WATCH_NAMESPACES, LEASE_NAMESPACE, POD_NAME, METRICS_PORT (the Helm
   * chart's Deployment sets each; {@code LOG_LEVEL} is read by the main class).
   */
  public static OperatorConfig fromEnvironment(Map<String, String> env) {
    var namespaces = env.getOrDefault("WATCH_NAMESPACES", "").trim();
    return new OperatorConfig(
        !"false".equalsIgnoreCase(env.getOrDefault("ALLIDB_OPERATOR_SSA", "true")),
        namespaces.isEmpty() ? Set.of() : Set.of(namespaces.split("\\s*,\\s*")),
        env.get("LEASE_NAMESPACE"),
        env.getOrDefault("POD_NAME", "allidb-operator"),
        Integer.parseInt(env.getOrDefault("METRICS_PORT", "8080")));
  }
}
