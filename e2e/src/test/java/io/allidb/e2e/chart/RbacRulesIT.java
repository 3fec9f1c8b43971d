package io.allidb.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.operator.OperatorPermissions;
import io.allidb.operator.OperatorPermissions.Scope;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The chart grants exactly {@link OperatorPermissions#required}: every verb the operator uses,
 * nothing more, in every watch mode. (ChartOnMockServerIT shows the operator uses no other.)
 */
class RbacRulesIT {

  @ParameterizedTest(name = "namespaces={0} ssa={1} leaderElection={2}")
  @CsvSource({
    "'', true, true",
    "'', false, true",
    "db;analytics, true, true",
    "db, false, false",
  })
  void chartGrantsExactlyTheDeclaredPermissions(
      String namespaces, boolean ssa, boolean leaderElection) {
    var watched = namespaces.isEmpty() ? List.<String>of() : List.of(namespaces.split(";"));
    var sets =
        new java.util.HashMap<String, Object>(
            Map.of("serverSideApply", ssa, "leaderElection.enabled", leaderElection));
    for (int i = 0; i < watched.size(); i++) {
      sets.put("watchNamespaces[" + i + "]", watched.get(i));
    }
    var objects = HelmChart.render(List.of(), sets);
    var sa =
        HelmChart.one(objects, Deployment.class)
            .getSpec()
            .getTemplate()
            .getSpec()
            .getServiceAccountName();

    var expected = new HashSet<RbacRules.Grant>();
    for (var rule : OperatorPermissions.required(ssa, leaderElection)) {
      var scopes =
          rule.scope() == Scope.LEASE
              ? List.of(HelmChart.NAMESPACE)
              : watched.isEmpty() ? java.util.Collections.<String>singletonList(null) : watched;
      for (var ns : scopes) {
        for (var verb : rule.verbs()) {
          expected.add(new RbacRules.Grant(ns, rule.apiGroup(), rule.resource(), verb));
        }
      }
    }
    assertThat(Set.copyOf(RbacRules.of(objects, HelmChart.NAMESPACE, sa).grants()))
        .containsExactlyInAnyOrderElementsOf(expected);
  }
}
