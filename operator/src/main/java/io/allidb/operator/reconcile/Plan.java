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
 */
public record Plan(
    Map<String, Integer> replicas,
    RingOperation operation,
    List<Action> actions,
    Blocked blocked,
    boolean rolloutPending) {

  /** Whether the cluster is still moving, so the next reconcile should come soon. */
  public boolean busy() {
    return operation != null || !actions.isEmpty() || rolloutPending;
  }
}
