package io.allidb.operator.reconcile;

import io.allidb.operator.api.RingOperation;
import java.util.List;
import java.util.Map;

/**
 * One reconcile's step.
 *
 * @param replicas StatefulSet replicas to apply per rack this time (not necessarily the spec's)
 * @param operation the ring operation to persist in status, null when none is in flight
 * @param actions side effects to run, in order, after the objects are applied
 * @param blocked why a wanted step is not taken, or null
 * @param rolloutPending pods still run an old template
 * @param replaced the {@code allidb.io/replace-node} request this step completed (or found nothing
 *     left to do for), to record in status; null otherwise
 */
public record Plan(
    Map<String, Integer> replicas,
    RingOperation operation,
    List<Action> actions,
    Blocked blocked,
    boolean rolloutPending,
    String replaced) {

  public Plan(
      Map<String, Integer> replicas,
      RingOperation operation,
      List<Action> actions,
      Blocked blocked,
      boolean rolloutPending) {
    this(replicas, operation, actions, blocked, rolloutPending, null);
  }

  /** The same step, recording that {@code request} is done. */
  Plan withReplaced(String request) {
    return new Plan(replicas, operation, actions, blocked, rolloutPending, request);
  }

  /** Whether the cluster is still moving, so the next reconcile should come soon. */
  public boolean busy() {
    return operation != null || !actions.isEmpty() || rolloutPending;
  }
}
