package io.allidb.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.operator.AlliClusters;
import io.allidb.operator.api.AlliCluster;
import io.allidb.operator.api.Day2Annotations;
import java.util.HashMap;
import org.junit.jupiter.api.Test;

/**
 * Which AlliCluster updates start a reconcile. An annotation edit leaves the generation alone, so
 * before the operator's annotations were compared, {@code allidb.io/replace-node} waited for the
 * idle requeue (ScalingScenariosIT saw it).
 */
class WorthReconcilingTest {

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
