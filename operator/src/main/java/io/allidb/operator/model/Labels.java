package io.allidb.operator.model;

import io.allidb.operator.api.AlliCluster;
import java.util.Map;
import java.util.TreeMap;

/**
 * The labels on everything the operator creates. {@code app.kubernetes.io/*} for tools and humans;
 * {@code allidb.io/rack} to select one rack. Selectors use only labels that never change for the
 * life of an object (StatefulSet selectors are immutable).
 */
public final class Labels {
  public static final String NAME = "app.kubernetes.io/name";
  public static final String INSTANCE = "app.kubernetes.io/instance";
  public static final String COMPONENT = "app.kubernetes.io/component";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String PART_OF = "app.kubernetes.io/part-of";
  public static final String VERSION = "app.kubernetes.io/version";
  public static final String RACK = "allidb.io/rack";

  public static final String APP = "allidb";
  public static final String NODE_COMPONENT = "node";
  public static final String OPERATOR = "allidb-operator";

  private Labels() {}

  /** Labels for every object of a cluster. */
  public static Map<String, String> common(AlliCluster cluster) {
    var labels = new TreeMap<String, String>();
    labels.put(NAME, APP);
    labels.put(INSTANCE, cluster.getMetadata().getName());
    labels.put(MANAGED_BY, OPERATOR);
    labels.put(PART_OF, APP);
    var version = cluster.getSpec().getVersion();
    if (version != null && !version.isBlank()) {
      labels.put(VERSION, version);
    }
    return labels;
  }

  /** Selector for every node pod of a cluster. */
  public static Map<String, String> nodeSelector(AlliCluster cluster) {
    var labels = new TreeMap<String, String>();
    labels.put(NAME, APP);
    labels.put(INSTANCE, cluster.getMetadata().getName());
    labels.put(COMPONENT, NODE_COMPONENT);
    return labels;
  }

  /** Selector for the node pods of one rack. */
  public static Map<String, String> rackSelector(AlliCluster cluster, String rack) {
    var labels = nodeSelector(cluster);
    labels.put(RACK, rack);
    return labels;
  }

  /** Labels of a node pod (and its volume claim) in a rack. */
  public static Map<String, String> rackNode(AlliCluster cluster, String rack) {
    var labels = common(cluster);
    labels.putAll(rackSelector(cluster, rack));
    return labels;
  }
}
