package io.allidb.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.operator.AlliClusters;
import io.allidb.operator.api.AlliCluster;
import io.allidb.operator.api.Day2Annotations;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.HashMap;
import org.junit.jupiter.api.Test;

/** Which edits of an AlliCluster reach the reconciler (generation filtering is off). */
class WorthReconcilingTest {
  private static AlliCluster annotated(String annotation, String value) {
    var c = AlliClusters.withReplicas(3);
    var annotations = new HashMap<String, String>();
    if (annotation != null) {
      annotations.put(annotation, value);
    }
    c.getMetadata().setAnnotations(annotations);
    return c;
  }

  private static AlliCluster copy(AlliCluster c) {
    return Serialization.clone(c);
  }

  @Test
  void aNewDay2RequestIsWorthAReconcileAtOnce() {
    for (var annotation : Day2Annotations.ALL) {
      var before = annotated(null, null);
      var after = copy(before);
      after.getMetadata().getAnnotations().put(annotation, "ticket-1");
      assertThat(AlliClusterReconciler.worthReconciling(after, before)).as(annotation).isTrue();

      var again = copy(after);
      again.getMetadata().getAnnotations().put(annotation, "ticket-2");
      assertThat(AlliClusterReconciler.worthReconciling(again, after)).as(annotation).isTrue();
    }
  }

  @Test
  void otherMetadataAndStatusWritesAreNot() {
    var before = annotated(Day2Annotations.ROTATE_API_KEYS, "ticket-1");
    var after = copy(before);
    after.getMetadata().getAnnotations().put("example.com/owner", "team-a");
    after.getMetadata().setResourceVersion("42");
    assertThat(AlliClusterReconciler.worthReconciling(after, before)).isFalse();
  }
}
