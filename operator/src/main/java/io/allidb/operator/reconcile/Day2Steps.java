package io.allidb.operator.reconcile;

import static io.allidb.operator.api.AlliClusterConditions.API_KEYS_READY;
import static io.allidb.operator.api.AlliClusterConditions.CERTIFICATES_VALID;
import static io.allidb.operator.api.AlliClusterConditions.REPAIR_HEALTHY;

import io.allidb.operator.api.AlliCluster;
import io.allidb.operator.api.AlliClusterStatus;
import io.allidb.operator.day2.Day2Context;
import io.allidb.operator.keys.ApiKeyStep;
import io.allidb.operator.metrics.OperatorMetrics;
import io.allidb.operator.model.Names;
import io.allidb.operator.pki.CertificateStep;
import io.allidb.operator.repair.RepairStep;
import io.allidb.operator.ring.NodeAddressResolver;
import io.allidb.operator.ring.NodeAdmin;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The day-2 part of a reconcile (issue 8), after the core plan: certificates, API keys, repair.
 * Each step is isolated: one that fails sets its condition to Unknown with the error and the others
 * still run; the next reconcile retries. While the cluster is paused nothing runs: the last report
 * (status fields and conditions) is kept, so status never shows material that was not written.
 */
final class Day2Steps {
  private static final Logger logger = LoggerFactory.getLogger(Day2Steps.class);

  private final NodeAdmin admin;
  private final NodeAddressResolver addresses;
  private final OperatorMetrics metrics;

  Day2Steps(NodeAdmin admin, NodeAddressResolver addresses, OperatorMetrics metrics) {
    this.admin = admin;
    this.addresses = addresses;
    this.metrics = metrics;
  }

  /** Runs the steps and adds their conditions and status fields to {@code status}. */
  void apply(
      KubernetesClient client,
      AlliCluster cluster,
      Observation seen,
      Plan plan,
      boolean paused,
      Instant now,
      AlliClusterStatus status) {
    var old = cluster.getStatus();
    if (paused) {
      keepLastReport(old, status);
      return;
    }
    var ctx =
        new Day2Context(
            client,
            cluster,
            admin,
            addresses,
            runningPods(seen),
            desiredPods(cluster, seen, plan),
            now,
            !paused);
    var generation =
        cluster.getMetadata().getGeneration() == null ? 0 : cluster.getMetadata().getGeneration();
    var c = new Conditions(old == null ? null : old.getConditions(), generation, now);
    var ns = cluster.getMetadata().getNamespace();
    var name = cluster.getMetadata().getName();

    isolated(
        "certificates",
        c,
        CERTIFICATES_VALID,
        () -> {
          var out = CertificateStep.reconcile(ctx);
          status.setCertificates(out.status());
          var r = out.report();
          c.set(CERTIFICATES_VALID, r.valid(), r.reason(), r.message());
          var left = new LinkedHashMap<String, Double>();
          out.tracked().forEach(t -> left.put(t.name(), (double) t.left(now).toSeconds()));
          metrics.certificates(ns, name, left);
        });
    isolated(
        "API keys",
        c,
        API_KEYS_READY,
        () -> {
          var out = ApiKeyStep.reconcile(ctx);
          status.setApiKeys(out.status());
          c.set(API_KEYS_READY, out.ready(), out.reason(), out.message());
        });
    isolated(
        "repair",
        c,
        REPAIR_HEALTHY,
        () -> {
          var out = RepairStep.reconcile(ctx, old == null ? null : old.getRepair(), busy(plan));
          status.setRepair(out.status());
          c.set(REPAIR_HEALTHY, out.health(), out.reason(), out.message());
          metrics.repairCompleted(ns, name, out.lastCompleted());
        });
    var all = new ArrayList<>(status.getConditions());
    all.addAll(c.build());
    status.setConditions(all);
  }

  private static void keepLastReport(AlliClusterStatus old, AlliClusterStatus status) {
    if (old == null) {
      return;
    }
    status.setCertificates(old.getCertificates());
    status.setApiKeys(old.getApiKeys());
    status.setRepair(old.getRepair());
    var all = new ArrayList<>(status.getConditions());
    old.getConditions().stream()
        .filter(
            c -> List.of(CERTIFICATES_VALID, API_KEYS_READY, REPAIR_HEALTHY).contains(c.getType()))
        .forEach(all::add);
    status.setConditions(all);
  }

  private static void isolated(String what, Conditions c, String condition, Runnable step) {
    try {
      step.run();
    } catch (RuntimeException e) {
      logger.warn("day-2 step {} failed, retried next reconcile: {}", what, e.toString());
      c.set(condition, "Unknown", "StepFailed", what + ": " + e.getMessage());
    }
  }

  /**
   * Whether a day-2 step waits on the nodes: a certificate or key-set generation not yet reported
   * by every one of {@code pods}, a tenant key waiting until every node loaded it, a CA key
   * replacement between phases, a repair round in flight. Nodes loading a Secret or finishing a
   * repair raise no Kubernetes event, so without a short requeue each of these steps would wait for
   * the idle resync (2 min): a key rotation took over two minutes in SimulatedLifecycleIT with
   * every node on the new generation within a second, and each CA phase as long.
   */
  static boolean waitingOnNodes(AlliClusterStatus status, int pods) {
    var keys = status.getApiKeys();
    if (keys != null
        && (below(keys.getNodesOnGeneration(), pods)
            || keys.getTenants().stream().anyMatch(t -> t.getPendingKeyId() != null))) {
      return true;
    }
    var certs = status.getCertificates();
    if (certs != null
        && (below(certs.getNodesOnGeneration(), pods)
            || certs.getAuthorities().stream().anyMatch(a -> !"Steady".equals(a.getPhase())))) {
      return true;
    }
    // a round in flight, between two repairs too: the next replica set starts only when a
    // reconcile sees the previous repair ended
    var repair = status.getRepair();
    return repair != null && repair.getRound() != null;
  }

  private static boolean below(Integer nodesOnGeneration, int pods) {
    return nodesOnGeneration != null && nodesOnGeneration < pods;
  }

  /** Why repairs must not start now. */
  static String busy(Plan plan) {
    if (plan.operation() != null) {
      return "ring operation " + plan.operation().getType() + " in progress";
    }
    if (plan.rolloutPending()) {
      return "rolling restart in progress";
    }
    return null;
  }

  private static List<String> runningPods(Observation seen) {
    return seen.pods().values().stream()
        .filter(p -> !p.terminating())
        .map(PodState::name)
        .sorted()
        .toList();
  }

  /** Pods that exist plus those the planned StatefulSet sizes will create. */
  private static List<String> desiredPods(AlliCluster cluster, Observation seen, Plan plan) {
    var out = new LinkedHashSet<String>();
    plan.replicas()
        .forEach(
            (rack, n) -> {
              for (int i = 0; i < n; i++) {
                out.add(Names.pod(cluster, rack, i));
              }
            });
    cluster
        .getSpec()
        .effectiveRacks()
        .forEach(
            r -> {
              for (int i = 0; i < r.getReplicas(); i++) {
                out.add(Names.pod(cluster, r.getName(), i));
              }
            });
    out.addAll(seen.pods().keySet());
    return out.stream().sorted().toList();
  }
}
