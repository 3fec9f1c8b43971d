package io.allidb.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.operator.AlliClusters;
import io.allidb.operator.api.AlliCluster;
import io.allidb.operator.api.Day2Annotations;
import java.util.HashMap;
import org.junit.jupiter.api.Test;

/** Which edits of an AlliCluster wake the reconciler at once (the others wait for the requeue). */
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
}
