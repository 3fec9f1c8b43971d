package io.allidb.operator.reconcile;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Kubernetes condition bookkeeping: lastTransitionTime moves only when a condition's status flips,
 * so "Ready since" stays meaningful across reconciles.
 */
final class Conditions {
  private final List<Condition> previous;
  private final List<Condition> next = new ArrayList<>();
  private final long generation;
  private final Instant now;

  Conditions(List<Condition> previous, long generation, Instant now) {
    this.previous = previous == null ? List.of() : previous;
    this.generation = generation;
    this.now = now;
  }

  Conditions set(String type, boolean status, String reason, String message) {
    return set(type, status ? "True" : "False", reason, message);
  }

  Conditions set(String type, String status, String reason, String message) {
    var old = previous.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    var since =
        old != null && Objects.equals(old.getStatus(), status)
            ? old.getLastTransitionTime()
            : now.toString();
    next.add(
        new ConditionBuilder()
            .withType(type)
            .withStatus(status)
            .withReason(reason)
            .withMessage(message)
            .withObservedGeneration(generation)
            .withLastTransitionTime(since)
            .build());
    return this;
  }

  List<Condition> build() {
    return List.copyOf(next);
  }
}
