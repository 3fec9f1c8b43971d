package io.allidb.operator.model;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every object a cluster should have, as the spec asks. StatefulSet replica counts are the spec's
 * targets; the planner decides how far toward them each reconcile may go.
 *
 * @param statefulSets one per rack, keyed by rack name, in spec order
 */
public record DesiredState(
    ServiceAccount serviceAccount,
    ConfigMap configMap,
    Service headlessService,
    Service clientService,
    PodDisruptionBudget podDisruptionBudget,
    Map<String, StatefulSet> statefulSets) {

  /** The objects that are simply applied (everything but the StatefulSets), in apply order. */
  public List<HasMetadata> supportingObjects() {
    // config and services first: pods mount the one and resolve seeds through the other
    return List.of(serviceAccount, configMap, headlessService, clientService, podDisruptionBudget);
  }

  /** Everything, for golden files and deletion. */
  public List<HasMetadata> all() {
    var all = new ArrayList<HasMetadata>(supportingObjects());
    all.addAll(statefulSets.values());
    return all;
  }
}
