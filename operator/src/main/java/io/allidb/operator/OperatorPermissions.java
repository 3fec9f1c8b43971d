package io.allidb.operator;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every Kubernetes permission the operator needs, declared next to the code that uses it. The Helm
 * chart's RBAC must grant exactly these (a chart test compares them), and a test that records the
 * mock API server's requests during an operator run checks that the operator asks for nothing else.
 * Change this list together with the code and the chart.
 *
 * <p>Where each comes from:
 *
 * <ul>
 *   <li>{@code alliclusters}: JOSDK's informer (list, watch), its finalizer (patch; the {@code
 *       Cleaner} applies the claim policy), a re-read after a patch conflict (get), the status
 *       subresource (patch; with SSA off also update, see AlliClusterReconciler; the operator never
 *       writes spec), and {@code alliclusters/finalizers} update, which the
 *       OwnerReferencesPermissionEnforcement admission plugin requires to set {@code
 *       blockOwnerDeletion} owner references.
 *   <li>dependents (ConfigMap, Services, ServiceAccount, PodDisruptionBudget, StatefulSets): {@code
 *       patch} with server-side apply; {@code get}, {@code create}, {@code update} without it (see
 *       {@code ResourceApplier}).
 *   <li>{@code statefulsets}, {@code pods}: informers and {@code ClusterObserver} (list, watch);
 *       rolling restarts delete a pod.
 *   <li>{@code persistentvolumeclaims}: deleted after a node LEFT (delete) and on cluster deletion
 *       with {@code onDelete: Delete} (deletecollection by label).
 *   <li>{@code secrets}: the day-2 steps (issue 8) read and write the CA, TLS, node key-set and
 *       tenant Secrets whole, with optimistic locking ({@code SecretStore}): get, create, update;
 *       and {@code GrpcNodeAdmin} reads each cluster's operator-admin Secret (admin API key, CA
 *       bundle; {@code SecretAdminCredentials}).
 *   <li>{@code events}: certificate, key and repair events on the AlliCluster ({@code
 *       ClusterEvents}); a repeated event is read and its count updated: get, create, update.
 *   <li>{@code leases}: leader election, in the operator's own namespace only. fabric8 renews and
 *       releases the Lease with patch; JOSDK checks get, create and update before it starts.
 * </ul>
 */
public final class OperatorPermissions {
  private OperatorPermissions() {}

  /** Where a rule applies. */
  public enum Scope {
    /** Every watched namespace (a ClusterRole when all namespaces are watched). */
    WATCHED,
    /** The namespace of the leader-election Lease (the operator's own). */
    LEASE
  }

  /** One RBAC rule: the verbs on one resource (or subresource, {@code "a/b"}) of one API group. */
  public record Rule(Scope scope, String apiGroup, String resource, Set<String> verbs) {
    public Rule {
      verbs = Set.copyOf(verbs);
    }
  }

  /**
   * The rules for an operator configured with {@code serverSideApply} ({@code
   * ALLIDB_OPERATOR_SSA}); the Lease rule only when leader election is on.
   */
  public static List<Rule> required(boolean serverSideApply, boolean leaderElection) {
    var applyVerbs = serverSideApply ? Set.of("patch") : Set.of("get", "create", "update");
    var rules = new ArrayList<Rule>();
    rules.add(
        new Rule(
            Scope.WATCHED, "allidb.io", "alliclusters", Set.of("get", "list", "watch", "patch")));
    // without SSA the status is written by get + update-status (AlliClusterReconciler)
    rules.add(
        new Rule(
            Scope.WATCHED,
            "allidb.io",
            "alliclusters/status",
            serverSideApply ? Set.of("patch") : Set.of("patch", "update")));
    rules.add(new Rule(Scope.WATCHED, "allidb.io", "alliclusters/finalizers", Set.of("update")));
    rules.add(new Rule(Scope.WATCHED, "", "configmaps", applyVerbs));
    rules.add(new Rule(Scope.WATCHED, "", "services", applyVerbs));
    rules.add(new Rule(Scope.WATCHED, "", "serviceaccounts", applyVerbs));
    rules.add(new Rule(Scope.WATCHED, "policy", "poddisruptionbudgets", applyVerbs));
    rules.add(new Rule(Scope.WATCHED, "apps", "statefulsets", union(applyVerbs, "list", "watch")));
    rules.add(new Rule(Scope.WATCHED, "", "pods", Set.of("list", "watch", "delete")));
    rules.add(
        new Rule(
            Scope.WATCHED, "", "persistentvolumeclaims", Set.of("delete", "deletecollection")));
    rules.add(new Rule(Scope.WATCHED, "", "secrets", Set.of("get", "create", "update")));
    rules.add(new Rule(Scope.WATCHED, "", "events", Set.of("get", "create", "update")));
    if (leaderElection) {
      rules.add(
          new Rule(
              Scope.LEASE,
              "coordination.k8s.io",
              "leases",
              Set.of("get", "create", "update", "patch")));
    }
    return List.copyOf(rules);
  }

  private static Set<String> union(Set<String> verbs, String... more) {
    var all = new TreeSet<>(verbs);
    all.addAll(List.of(more));
    return all;
  }
}
