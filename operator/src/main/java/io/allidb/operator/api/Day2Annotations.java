package io.allidb.operator.api;

/**
 * Annotations on an AlliCluster that ask for a one-off day-2 action. The value is a token of the
 * user's choosing (a date, a ticket number): the operator acts once per new value and records the
 * handled value (in the CA Secret, the key-set Secret or status), so it never writes the user's
 * object and a restart does not act twice.
 */
public final class Day2Annotations {
  /** Replace the CA keys (both CAs) through the phased rollout. */
  public static final String ROTATE_CA = "allidb.io/rotate-ca";

  /** Issue new API keys for every tenant now (old keys stay for the overlap period). */
  public static final String ROTATE_API_KEYS = "allidb.io/rotate-api-keys";

  /** Start a repair round now, outside the schedule. */
  public static final String REPAIR_NOW = "allidb.io/repair-now";

  /**
   * Reconcile now rather than at the next periodic requeue (up to two minutes when the cluster is
   * idle): after fixing a Secret by hand, or when time-based work (certificate renewal, key
   * rotation) should not wait. Acts on nothing by itself.
   */
  public static final String RECONCILE_NOW = "allidb.io/reconcile-now";

  /**
   * The day-2 requests. Any {@code allidb.io/} annotation change reaches the reconciler at once
   * ({@code AlliClusterReconciler.worthReconciling}); these are the ones that ask for work.
   */
  public static final java.util.List<String> ACTIONS =
      java.util.List.of(ROTATE_CA, ROTATE_API_KEYS, REPAIR_NOW, RECONCILE_NOW);

  private Day2Annotations() {}

  /** The annotation's value, or null. */
  public static String get(AlliCluster cluster, String annotation) {
    var annotations = cluster.getMetadata().getAnnotations();
    if (annotations == null) {
      return null;
    }
    var value = annotations.get(annotation);
    return value == null || value.isBlank() ? null : value.strip();
  }
}
