package io.allidb.operator.reconcile;

/** Why the planner will not take the next step now; reported as a condition, never thrown. */
public record Blocked(String reason, String message) {}
