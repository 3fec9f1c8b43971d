package io.allidb.operator.reconcile;

import io.allidb.operator.api.AlliCluster;
import io.allidb.operator.model.NodeConfig;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Re-checks in the operator what the CRD schema and CEL rules check at admission, because not every
 * API server enforces them (the mock server does not, older servers skip CEL). A problem becomes a
 * condition; the operator then changes nothing.
 */
public final class SpecValidator {
  private static final Pattern RACK = Pattern.compile("^[a-z0-9]([-a-z0-9]{0,18}[a-z0-9])?$");

  private SpecValidator() {}

  /** Human-readable problems; empty when the spec is usable. */
  public static List<String> validate(AlliCluster cluster) {
    var spec = cluster.getSpec();
    var problems = new ArrayList<String>();
    if (spec == null) {
      return List.of("spec is missing");
    }
    if (spec.getImage() == null || spec.getImage().isBlank()) {
      problems.add("spec.image is required");
    }
    if ((spec.getRacks() == null) == (spec.getReplicas() == null)) {
      problems.add("set either spec.racks or spec.replicas, not both and not neither");
    }
    if (spec.getReplicas() != null && spec.getReplicas() < 0) {
      problems.add("spec.replicas must be >= 0; got " + spec.getReplicas());
    }
    var names = new HashSet<String>();
    for (var rack : spec.effectiveRacks()) {
      if (rack.getName() == null || !RACK.matcher(rack.getName()).matches()) {
        problems.add(
            "rack name must be a DNS label of at most 20 characters; got " + rack.getName());
      } else if (!names.add(rack.getName())) {
        problems.add("rack names must be unique; " + rack.getName() + " repeats");
      }
      if (rack.getReplicas() == null || rack.getReplicas() < 0) {
        problems.add("rack " + rack.getName() + " replicas must be >= 0");
      }
    }
    var rf = spec.getReplicationFactor();
    if (rf == null || rf < 1) {
      problems.add("spec.replicationFactor must be >= 1; got " + rf);
    } else if (problems.isEmpty() && rf > spec.totalReplicas()) {
      problems.add(
          "spec.replicationFactor "
              + rf
              + " exceeds the "
              + spec.totalReplicas()
              + " nodes asked for");
    }
    if (spec.getVnodes() == null || spec.getVnodes() < 1 || spec.getVnodes() > 1024) {
      problems.add("spec.vnodes must be in [1, 1024]; got " + spec.getVnodes());
    }
    if (spec.getStorage() == null || !validQuantity(spec.getStorage().getSize())) {
      problems.add("spec.storage.size must be a quantity such as 100Gi");
    }
    if (spec.getConfig() != null) {
      spec.getConfig().keySet().stream()
          .filter(NodeConfig.OPERATOR_KEYS::contains)
          .forEach(k -> problems.add("spec.config." + k + " is set by the operator"));
      spec.getConfig().keySet().stream()
          .filter(k -> !NodeConfig.OPERATOR_KEYS.contains(k) && !NodeConfig.USER_KEYS.contains(k))
          .sorted()
          .forEach(
              k ->
                  problems.add(
                      "spec.config."
                          + k
                          + " is not a node setting; settable keys: "
                          + String.join(", ", new java.util.TreeSet<>(NodeConfig.USER_KEYS))));
      NodeConfig.secretLikeKeys(spec.getConfig())
          .forEach(k -> problems.add("spec.config." + k + " looks like a secret; use a Secret"));
    }
    // day-2 fields (issue 8): durations, cron, repair deadline below gc_grace
    problems.addAll(io.allidb.operator.day2.Day2Validation.validate(spec));
    return problems;
  }

  private static boolean validQuantity(String size) {
    try {
      return size != null && Quantity.getAmountInBytes(new Quantity(size)).signum() > 0;
    } catch (RuntimeException e) {
      return false;
    }
  }
}
