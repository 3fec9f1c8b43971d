package io.allidb.operator.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * An AlliDB cluster: a ring of data-plane nodes, one per pod, spread over racks.
 *
 * <p>The user owns {@code spec}; the operator owns {@code status} and never writes {@code spec}
 * (TARGET.md decision 9). The CRD in {@code crds/} is generated from these classes; see {@code
 * docs/operator.md} for every field and {@code CustomResourceDefinitionTest} for how to regenerate.
 */
@Group(AlliCluster.GROUP)
@Version(AlliCluster.VERSION)
@ShortNames({"ac", "allic"})
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.readyReplicas",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Replicas",
    jsonPath = ".status.replicas",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "RF",
    jsonPath = ".spec.replicationFactor",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Ring",
    jsonPath = ".status.ringState",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class AlliCluster extends CustomResource<AlliClusterSpec, AlliClusterStatus>
    implements Namespaced {

  public static final String GROUP = "allidb.io";
  public static final String VERSION = "v1alpha1";

  /** Annotation that pauses all changes, like {@code spec.paused}, without a spec edit. */
  public static final String PAUSE_ANNOTATION = "allidb.io/paused";

  /**
   * Annotation that lets a rolling restart proceed although it cannot keep a write quorum (only
   * possible with a replication factor below 3). Deliberately not a spec field: it is a one-off
   * operational decision.
   */
  public static final String ALLOW_QUORUM_LOSS_ANNOTATION =
      "allidb.io/allow-quorum-loss-on-restart";

  /**
   * Annotation naming a pod whose node is to be removed from the ring and replaced by a new, empty
   * node on the same ordinal (a StatefulSet only removes its highest ordinal; ADR 0005). Acted on
   * once per value: status.replacedNode records the value carried out; remove the annotation to
   * forget it.
   */
  public static final String REPLACE_NODE_ANNOTATION = "allidb.io/replace-node";

  @Override
  protected AlliClusterSpec initSpec() {
    return new AlliClusterSpec();
  }

  // no initStatus(): a new object carries no status at all, so the first status patch adds it
  // (an empty status object sent on create is stored as null by some servers, and a JSON patch
  // into it then fails)

  /** Whether the user asked the operator to stop changing this cluster. */
  @JsonIgnore
  public boolean isPaused() {
    var annotation =
        getMetadata().getAnnotations() == null
            ? null
            : getMetadata().getAnnotations().get(PAUSE_ANNOTATION);
    return Boolean.TRUE.equals(getSpec().getPaused()) || "true".equalsIgnoreCase(annotation);
  }

  /** The pod named by {@link #REPLACE_NODE_ANNOTATION}, or null. */
  @JsonIgnore
  public String replaceNodeRequest() {
    var annotations = getMetadata().getAnnotations();
    var value = annotations == null ? null : annotations.get(REPLACE_NODE_ANNOTATION);
    return value == null || value.isBlank() ? null : value.strip();
  }

  /** Whether the user accepted quorum loss for rolling restarts (see the annotation). */
  public boolean allowsQuorumLossOnRestart() {
    var annotations = getMetadata().getAnnotations();
    return annotations != null
        && "true".equalsIgnoreCase(annotations.get(ALLOW_QUORUM_LOSS_ANNOTATION));
  }
}
