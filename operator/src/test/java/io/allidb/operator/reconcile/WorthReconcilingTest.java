package io.allidb.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.operator.AlliClusters;
import io.allidb.operator.api.AlliCluster;
import io.allidb.operator.api.Day2Annotations;
import java.util.HashMap;
import org.junit.jupiter.api.Test;

/**
 * Which edits of an AlliCluster wake the reconciler at once (the others wait for the requeue). An
 * annotation edit leaves the generation alone, so before the operator's annotations were compared,
 * {@code allidb.io/replace-node} and the day-2 requests waited for the idle requeue
 * (ScalingScenariosIT, KeyRotationIT and RepairOrchestrationIT saw it).
 */
class WorthReconcilingTest {
  static AlliCluster with(String annotation, String value) {
    var c = AlliClusters.withReplicas(3);
    c.getMetadata().setGeneration(1L);
    var annotations = new HashMap<String, String>();
    if (annotation != null) {
      annotations.put(annotation, value);
    }
    c.getMetadata().setAnnotations(annotations);
    return c;
  }

  @Test
  void everyDay2RequestWakesTheReconciler() {
    for (var a : Day2Annotations.ACTIONS) {
      assertThat(AlliClusterReconciler.worthReconciling(with(a, "t1"), with(null, null)))
          .as("%s set", a)
          .isTrue();
      assertThat(AlliClusterReconciler.worthReconciling(with(a, "t2"), with(a, "t1")))
          .as("%s changed", a)
          .isTrue();
      assertThat(AlliClusterReconciler.worthReconciling(with(a, "t1"), with(a, "t1")))
          .as("%s unchanged", a)
          .isFalse();
    }
  }

  @Test
  void otherAnnotationsAndStatusWritesDoNot() {
    assertThat(AlliClusterReconciler.worthReconciling(with("example.com/x", "1"), with(null, null)))
        .isFalse();
  }

  @Test
  void theOperatorsAnnotationsCountOtherMetadataDoesNot() {
    var before = AlliClusters.withReplicas(4);
    before.getMetadata().setGeneration(3L);
    var after = AlliClusters.withReplicas(4);
    after.getMetadata().setGeneration(3L);
    assertThat(AlliClusterReconciler.worthReconciling(after, before)).isFalse();

    annotate(after, "kubectl.kubernetes.io/last-applied-configuration", "{}");
    assertThat(AlliClusterReconciler.worthReconciling(after, before)).isFalse();

    annotate(after, AlliCluster.REPLACE_NODE_ANNOTATION, "demo-default-1");
    assertThat(AlliClusterReconciler.worthReconciling(after, before)).isTrue();

    annotate(before, AlliCluster.REPLACE_NODE_ANNOTATION, "demo-default-1");
    annotate(before, "kubectl.kubernetes.io/last-applied-configuration", "{}");
    assertThat(AlliClusterReconciler.worthReconciling(after, before)).isFalse();
    annotate(after, Day2Annotations.REPAIR_NOW, "ticket-7");
    assertThat(AlliClusterReconciler.worthReconciling(after, before)).isTrue();
  }

  private static void annotate(AlliCluster c, String key, String value) {
    if (c.getMetadata().getAnnotations() == null) {
      c.getMetadata().setAnnotations(new HashMap<>());
    }
    c.getMetadata().getAnnotations().put(key, value);
  }
}
