package io.allidb.e2e.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.api.proto.ConsistencyLevel;
import io.allidb.api.proto.Entity;
import io.allidb.api.proto.GetEntityRequest;
import io.allidb.api.proto.PutEntityRequest;
import io.allidb.api.proto.QueryRequest;
import io.allidb.api.proto.VectorEmbedding;
import io.allidb.operator.api.AlliCluster;
import io.allidb.operator.api.AlliClusterSpec;
import io.allidb.operator.api.StorageSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.util.List;

/** The scenarios, written once for every {@link ClusterUnderTest}. */
public final class Scenarios {
  public static final String NAMESPACE = "db";
  public static final String NAME = "demo";
  static final Duration READY = Duration.ofMinutes(10);
  static final int ROWS = 200;

  private Scenarios() {}

  /**
   * A cluster's life.
   *
   * <ol>
   *   <li>Apply a 3-node AlliCluster (RF 3) -> Ready with 3 nodes.
   *   <li>Write 200 entities through gRPC at QUORUM -> all acknowledged; a query finds them.
   *   <li>Scale to 5 -> Ready with 5; every entity readable at QUORUM.
   *   <li>Scale back to 3 (two decommissions) -> Ready with 3; every entity readable.
   *   <li>Delete a pod -> it comes back, the cluster is Ready again; every entity readable.
   *   <li>Delete the AlliCluster -> it and its pods are gone.
   * </ol>
   */
  public static Scenario lifecycle(String image) {
    return new Scenario(
        "lifecycle",
        List.of(
            new Scenario.Step(
                "apply a 3-node cluster and wait for Ready",
                c -> {
                  c.apply(cluster(image, 3));
                  c.awaitReady(NAMESPACE, NAME, 3, READY);
                }),
            new Scenario.Step(
                "write 200 entities at QUORUM and query them",
                c -> {
                  var stub = c.client(NAMESPACE, NAME);
                  for (int i = 0; i < ROWS; i++) {
                    stub.putEntity(
                        PutEntityRequest.newBuilder()
                            .setEntity(entity(i))
                            .setConsistencyLevel(ConsistencyLevel.CONSISTENCY_QUORUM)
                            .build());
                  }
                  var found =
                      stub.query(
                          QueryRequest.newBuilder()
                              .addAllQueryVector(vector(7))
                              .setK(5)
                              .setConsistencyLevel(ConsistencyLevel.CONSISTENCY_QUORUM)
                              .build());
                  assertThat(found.getResultsList()).isNotEmpty();
                  readsAll(c);
                }),
            new Scenario.Step(
                "scale 3 -> 5",
                c -> {
                  c.scale(NAMESPACE, NAME, 5);
                  c.awaitReady(NAMESPACE, NAME, 5, READY);
                  readsAll(c);
                }),
            new Scenario.Step(
                "scale 5 -> 3",
                c -> {
                  c.scale(NAMESPACE, NAME, 3);
                  c.awaitReady(NAMESPACE, NAME, 3, READY);
                  assertThat(c.pods(NAMESPACE, NAME)).hasSize(3);
                  readsAll(c);
                }),
            new Scenario.Step(
                "delete a pod; it rejoins",
                c -> {
                  c.deletePod(NAMESPACE, c.pods(NAMESPACE, NAME).get(0));
                  c.awaitReady(NAMESPACE, NAME, 3, READY);
                  readsAll(c);
                }),
            new Scenario.Step(
                "delete the cluster",
                c -> {
                  c.delete(NAMESPACE, NAME, READY);
                  assertThat(c.get(NAMESPACE, NAME)).isNull();
                  assertThat(c.pods(NAMESPACE, NAME)).isEmpty();
                })));
  }

  static void readsAll(ClusterUnderTest c) {
    var stub = c.client(NAMESPACE, NAME);
    for (int i = 0; i < ROWS; i++) {
      var got =
          stub.getEntity(
              GetEntityRequest.newBuilder()
                  .setEntityId("e-" + i)
                  .setConsistencyLevel(ConsistencyLevel.CONSISTENCY_QUORUM)
                  .build());
      assertThat(got.getEntity().getEntityId()).isEqualTo("e-" + i);
    }
  }

  /** The cluster the scenarios run: flat, RF 3, API keys off until key Secrets exist (issue 8). */
  public static AlliCluster cluster(String image, int replicas) {
    var cluster = new AlliCluster();
    cluster.setMetadata(new ObjectMetaBuilder().withName(NAME).withNamespace(NAMESPACE).build());
    var spec = new AlliClusterSpec();
    spec.setImage(image);
    spec.setReplicas(replicas);
    spec.setReplicationFactor(3);
    spec.setStorage(new StorageSpec("1Gi", null));
    spec.getAuth().setEnabled(false);
    cluster.setSpec(spec);
    return cluster;
  }

  static Entity entity(int i) {
    return Entity.newBuilder()
        .setEntityId("e-" + i)
        .setEntityType("doc")
        .addEmbeddings(VectorEmbedding.newBuilder().setVersion(1).addAllVector(vector(i)))
        .setImportance(0.5)
        .build();
  }

  static List<Float> vector(int i) {
    return List.of(
        (float) Math.sin(i), (float) Math.cos(i), (float) Math.sin(2 * i), (float) Math.cos(2 * i));
  }
}
