package io.allidb.dataplane.cluster.coordinator;

import io.allidb.api.proto.Entity;
import io.allidb.api.proto.GraphEdge;
import io.allidb.api.proto.VectorEmbedding;
import io.allidb.dataplane.cluster.LocalCluster;
import io.allidb.dataplane.storage.row.Row;
import io.allidb.dataplane.storage.row.RowKey;
import java.io.IOException;
import java.util.Optional;
import java.util.Random;

/** Entities and replica reads shared by the coordinator tests. */
final class ClusterFixtures {
  private ClusterFixtures() {}

  /** The seed of a randomized test: -Dtests.seed if given, else fresh; printed for replay. */
  static long seed(String test) {
    long seed = Long.getLong("tests.seed", new Random().nextLong());
    System.out.println("[seed] " + test + " -Dtests.seed=" + seed);
    return seed;
  }

  static Entity entity(String id, String text, float... vector) {
    var e = Entity.newBuilder().setEntityId(id).setEntityType("doc").setImportance(0);
    if (vector.length > 0) {
      var v = VectorEmbedding.newBuilder();
      for (float x : vector) {
        v.addVector(x);
      }
      e.addEmbeddings(v);
    }
    e.addChunksBuilder().setChunkId(id + "#0").setText(text);
    return e.build();
  }

  static Entity withEdge(Entity e, String to, String relation, double weight) {
    return e.toBuilder()
        .addOutgoingEdges(
            GraphEdge.newBuilder().setToEntity(to).setRelation(relation).setWeight(weight))
        .build();
  }

  static float[] randomVector(Random rnd, int dim) {
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = (float) rnd.nextGaussian();
    }
    return v;
  }

  /** What node {@code i} itself stores for the tenant's entity, read without any coordinator. */
  static Optional<Row> replicaRow(LocalCluster cluster, int i, String id) throws IOException {
    return cluster.store(i).storage().getRow(RowKey.of(LocalCluster.TENANT, id));
  }

  static int index(String host) {
    return Integer.parseInt(host.substring(1)) - 1;
  }
}
