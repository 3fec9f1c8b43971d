package io.allidb.operator.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Writes a desired object. Against a real API server: server-side apply with a stable field
 * manager, so GitOps tools and the operator co-own objects without fighting. Against the mock
 * server (no SSA): create, or update only when a desired field differs - an unconditional update
 * would bump resourceVersion, fire the informer and reconcile forever.
 */
public interface ResourceApplier {
  String FIELD_MANAGER = "allidb-operator";

  void apply(KubernetesClient client, HasMetadata desired);

  /** Whether this applier writes with server-side apply (the status write follows suit). */
  default boolean serverSideApply() {
    return this instanceof ServerSideApplier;
  }

  static ResourceApplier of(boolean serverSideApply) {
    return serverSideApply ? new ServerSideApplier() : new CreateOrUpdateApplier();
  }

  /** Server-side apply, forcing conflicts: the operator is the authority on these fields. */
  final class ServerSideApplier implements ResourceApplier {
    @Override
    public void apply(KubernetesClient client, HasMetadata desired) {
      client.resource(desired).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
    }
  }

  /** Plain create/update for API servers without SSA. */
  final class CreateOrUpdateApplier implements ResourceApplier {
    @Override
    public void apply(KubernetesClient client, HasMetadata desired) {
      var existing = client.resource(desired).get();
      if (existing == null) {
        client.resource(desired).create();
      } else if (!SubsetMatcher.contains(existing, desired)) {
        desired.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
        client.resource(desired).update();
      }
    }
  }
}
