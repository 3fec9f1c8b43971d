package io.allidb.operator;

import io.allidb.operator.api.AlliCluster;
import io.allidb.operator.api.AlliClusterSpec;
import io.allidb.operator.api.RackSpec;
import io.allidb.operator.api.StorageSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;

/** Fixture builders for AlliCluster objects, in one place for every operator test. */
public final class AlliClusters {
  public static final String NAMESPACE = "db";
  public static final String IMAGE = "ghcr.io/allidb/allidb:0.1.0";

  private AlliClusters() {}

  /** A flat cluster of {@code replicas} nodes, RF 3, named "demo", with a fixed uid. */
  public static AlliCluster withReplicas(int replicas) {
    var cluster = new AlliCluster();
    cluster.setMetadata(
        new ObjectMetaBuilder()
            .withName("demo")
            .withNamespace(NAMESPACE)
            .withUid("00000000-0000-0000-0000-00000000d3m0")
            .withGeneration(1L)
            .build());
    var spec = new AlliClusterSpec();
    spec.setImage(IMAGE);
    spec.setVersion("0.1.0");
    spec.setReplicas(replicas);
    spec.setStorage(new StorageSpec("10Gi", null));
    cluster.setSpec(spec);
    return cluster;
  }

  /** A cluster with one rack per given zone, {@code perRack} nodes each. */
  public static AlliCluster withRacks(int perRack, String... zones) {
    var cluster = withReplicas(0);
    cluster.getSpec().setReplicas(null);
    var racks = new java.util.ArrayList<RackSpec>();
    for (int i = 0; i < zones.length; i++) {
      racks.add(new RackSpec("r" + (i + 1), perRack, zones[i]));
    }
    cluster.getSpec().setRacks(List.copyOf(racks));
    return cluster;
  }
}
