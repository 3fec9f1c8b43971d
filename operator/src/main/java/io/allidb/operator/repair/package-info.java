/**
 * Anti-entropy repair orchestration (issue 8): {@link io.allidb.operator.repair.RepairPlanner}
 * decides which token ranges to repair next (never two repairs on one replica set, paused during
 * ring changes and rolling restarts, re-planned after topology changes, resumed from status);
 * {@link io.allidb.operator.repair.RepairStep} calls the nodes' admin Repair RPCs.
 */
package io.allidb.operator.repair;
