package io.allidb.operator.model;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.util.ArrayList;
import java.util.Objects;

/**
 * Explains, in words a human reads in {@code status.rolloutReason}, why a pod template changed: the
 * image, the node config, resources, or "other pod template fields".
 */
public final class RolloutReason {
  private RolloutReason() {}

  /** Null when the templates hash the same; otherwise a short sentence. */
  public static String between(PodTemplateSpec running, PodTemplateSpec desired) {
    var oldHash = TemplateHash.annotatedOn(running.getMetadata());
    var newHash = TemplateHash.annotatedOn(desired.getMetadata());
    if (Objects.equals(oldHash, newHash)) {
      return null;
    }
    var parts = new ArrayList<String>();
    var oldC = container(running);
    var newC = container(desired);
    if (oldC == null || newC == null) {
      return "pod template changed (" + oldHash + " -> " + newHash + ")";
    }
    if (!Objects.equals(oldC.getImage(), newC.getImage())) {
      parts.add("image " + oldC.getImage() + " -> " + newC.getImage());
    }
    if (!Objects.equals(configHash(running), configHash(desired))) {
      parts.add("node config changed");
    }
    if (!Objects.equals(oldC.getResources(), newC.getResources())) {
      parts.add("resources changed");
    }
    if (parts.isEmpty()) {
      parts.add("other pod template fields changed");
    }
    return String.join("; ", parts) + " (" + oldHash + " -> " + newHash + ")";
  }

  private static String configHash(PodTemplateSpec t) {
    var a = t.getMetadata() == null ? null : t.getMetadata().getAnnotations();
    return a == null ? null : a.get(TemplateHash.CONFIG_ANNOTATION);
  }

  private static Container container(PodTemplateSpec t) {
    if (t.getSpec() == null || t.getSpec().getContainers() == null) {
      return null;
    }
    return t.getSpec().getContainers().stream()
        .filter(c -> NodeStatefulSet.CONTAINER.equals(c.getName()))
        .findFirst()
        .orElse(null);
  }
}
