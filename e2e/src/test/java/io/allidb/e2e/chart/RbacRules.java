package io.allidb.e2e.chart;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a ServiceAccount may do according to rendered RBAC objects, evaluated the way Kubernetes'
 * RBAC authorizer does for the rule shapes the chart uses (API groups, resources with subresources,
 * verbs; no resourceNames, no aggregation): a namespaced request is allowed by a Role bound in that
 * namespace or by a ClusterRole bound cluster-wide; a request across all namespaces only by the
 * latter.
 */
public final class RbacRules {

  /** One permission: {@code namespace} null means cluster-wide (a ClusterRole binding). */
  public record Grant(String namespace, String apiGroup, String resource, String verb) {}

  private final Set<Grant> grants;

  private RbacRules(Set<Grant> grants) {
    this.grants = grants;
  }

  /** The grants of {@code serviceAccount} in {@code saNamespace} among {@code objects}. */
  public static RbacRules of(List<HasMetadata> objects, String saNamespace, String serviceAccount) {
    var grants =
        new TreeSet<Grant>(
            java.util.Comparator.comparing((Grant g) -> String.valueOf(g.namespace()))
                .thenComparing(Grant::apiGroup)
                .thenComparing(Grant::resource)
                .thenComparing(Grant::verb));
    for (var binding : HelmChart.all(objects, ClusterRoleBinding.class)) {
      if (binds(binding.getSubjects(), saNamespace, serviceAccount)) {
        var role = find(objects, ClusterRole.class, null, binding.getRoleRef().getName());
        add(grants, null, role.getRules());
      }
    }
    for (var binding : HelmChart.all(objects, RoleBinding.class)) {
      if (binds(binding.getSubjects(), saNamespace, serviceAccount)) {
        var ns = binding.getMetadata().getNamespace();
        var role = find(objects, Role.class, ns, binding.getRoleRef().getName());
        add(grants, ns, role.getRules());
      }
    }
    return new RbacRules(grants);
  }

  public Set<Grant> grants() {
    return grants;
  }

  /** Whether the request is allowed; {@code namespace} null for a request across namespaces. */
  public boolean allows(String namespace, String apiGroup, String resource, String verb) {
    return grants.contains(new Grant(null, apiGroup, resource, verb))
        || (namespace != null && grants.contains(new Grant(namespace, apiGroup, resource, verb)));
  }

  private static boolean binds(
      List<io.fabric8.kubernetes.api.model.rbac.Subject> subjects, String ns, String name) {
    return subjects.stream()
        .anyMatch(
            s ->
                "ServiceAccount".equals(s.getKind())
                    && name.equals(s.getName())
                    && ns.equals(s.getNamespace()));
  }

  private static void add(Set<Grant> grants, String ns, List<PolicyRule> rules) {
    for (var rule : rules) {
      if (rule.getResourceNames() != null && !rule.getResourceNames().isEmpty()) {
        throw new AssertionError("resourceNames are not modelled here: " + rule);
      }
      for (var group : rule.getApiGroups()) {
        for (var resource : rule.getResources()) {
          for (var verb : rule.getVerbs()) {
            if (group.contains("*") || resource.contains("*") || verb.contains("*")) {
              throw new AssertionError("wildcards are not least privilege: " + rule);
            }
            grants.add(new Grant(ns, group, resource, verb));
          }
        }
      }
    }
  }

  private static <T extends HasMetadata> T find(
      List<HasMetadata> objects, Class<T> type, String ns, String name) {
    return HelmChart.all(objects, type).stream()
        .filter(o -> o.getMetadata().getName().equals(name))
        .filter(o -> Objects.equals(o.getMetadata().getNamespace(), ns))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("binding to a missing " + type.getSimpleName() + " " + name));
  }
}
