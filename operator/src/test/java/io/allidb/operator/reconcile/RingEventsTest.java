package io.allidb.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.operator.api.AlliCluster;
import io.allidb.operator.api.AlliClusterConditions;
import io.allidb.operator.api.AlliClusterStatus;
import io.allidb.operator.day2.ClusterEvents;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A refused ring step is a Warning event once per refusal, not one more at every requeue. */
@EnableKubernetesMockClient(crud = true)
class RingEventsTest {
  KubernetesClient client;

  @Test
  void aRefusalIsAnnouncedWhenItStartsOrChanges() {
    var cluster = new AlliCluster();
    cluster.setMetadata(new ObjectMetaBuilder().withName("demo").withNamespace("db").build());
    var events = new ClusterEvents(client, cluster, Instant.parse("2026-01-01T00:00:00Z"));
    var blocked =
        new Blocked(
            "ReplicationFactorNotMet", "2 members would be left, below replicationFactor 3");
    var plan = new Plan(Map.of("default", 3), null, List.of(), blocked, false);

    RingEvents.emit(events, cluster, plan);
    // the status written after that reconcile carries the refusal; the next requeue says nothing
    var status = new AlliClusterStatus();
    status.setConditions(
        List.of(
            new ConditionBuilder()
                .withType(AlliClusterConditions.DEGRADED)
                .withStatus("True")
                .withReason(blocked.reason())
                .withMessage(blocked.message())
                .build()));
    cluster.setStatus(status);
    RingEvents.emit(events, cluster, plan);

    assertThat(warnings())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getReason()).isEqualTo(RingEvents.BLOCKED);
              assertThat(e.getCount()).isEqualTo(1);
              assertThat(e.getMessage())
                  .isEqualTo(
                      "next ring step refused: ReplicationFactorNotMet: 2 members would be left,"
                          + " below replicationFactor 3");
              assertThat(e.getInvolvedObject().getName()).isEqualTo("demo");
            });

    var other = new Blocked("ReplicationFactorNotMet", "1 member would be left");
    RingEvents.emit(events, cluster, new Plan(Map.of(), null, List.of(), other, false));
    assertThat(warnings())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getCount()).as("same reason: the one event counts up").isEqualTo(2);
              assertThat(e.getMessage()).endsWith("1 member would be left");
            });
  }

  private List<Event> warnings() {
    return client.v1().events().inNamespace("db").list().getItems().stream()
        .filter(e -> "Warning".equals(e.getType()))
        .toList();
  }
}
