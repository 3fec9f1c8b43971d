package io.allidb.operator.api;

/**
 * Condition types the operator reports in {@code status.conditions}. Each condition carries
 * observedGeneration, reason, message and a lastTransitionTime that only moves when its status
 * flips (Kubernetes metav1.Condition semantics).
 */
public final class AlliClusterConditions {
  /** Every desired node runs, is ready and NORMAL, and no change is in progress. */
  public static final String READY = "Ready";

  /** Enough nodes are ready to serve QUORUM for every range (at least the first node is up). */
  public static final String AVAILABLE = "Available";

  /** The operator is moving the cluster toward the spec (scaling, rolling, applying). */
  public static final String PROGRESSING = "Progressing";

  /** Something needs a human: invalid spec, blocked operation, unreachable nodes. */
  public static final String DEGRADED = "Degraded";

  /** Every node sees every other node UP and NORMAL; no ring change in flight. */
  public static final String RING_STABLE = "RingStable";

  /** A join or decommission is in flight, or is blocked (reason says why). */
  public static final String SCALING = "Scaling";

  /**
   * Every certificate the nodes use is valid (message: the earliest expiry and time left); False
   * when one has expired or a user-provided certificate is unusable (issue 8).
   */
  public static final String CERTIFICATES_VALID = "CertificatesValid";

  /** Every tenant has a current API key and every node has loaded the key set (issue 8). */
  public static final String API_KEYS_READY = "ApiKeysReady";

  /** Repair keeps every range within spec.repair.deadline; False when the deadline is at risk. */
  public static final String REPAIR_HEALTHY = "RepairHealthy";

  private AlliClusterConditions() {}
}
