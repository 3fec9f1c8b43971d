package io.allidb.e2e.k3s;

import io.allidb.e2e.scenario.Scenarios;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The lifecycle and rotation scenarios ({@link Scenarios#lifecycle}, {@link Scenarios#rotation}
 * with TLS) on k3s, with the chart and the images built by {@code ./mvnw -Pimage -pl
 * dataplane,operator -am package jib:dockerBuild -DskipTests}. Run: {@code ./mvnw -Pe2e -pl
 * api,operator,e2e -am verify -Dit.test=AlliClusterLifecycleE2E}. Skipped where no Docker engine
 * answers.
 */
@Testcontainers(disabledWithoutDocker = true)
@Timeout(3600)
class AlliClusterLifecycleE2E {
  static final String TAG = System.getProperty("allidb.e2e.tag", "0.1.0-SNAPSHOT");
  static final String REGISTRY = System.getProperty("allidb.e2e.registry", "ghcr.io/allidb");

  @Test
  void aClusterLivesThroughScalingPodLossAndDeletion() throws Exception {
    var image = REGISTRY + "/allidb:" + TAG;
    try (var cluster =
        K3sCluster.start(Scenarios.NAMESPACE, REGISTRY + "/allidb-operator:" + TAG, image)) {
      Scenarios.lifecycle(image).run(cluster, Scenarios.NAMESPACE);
    }
  }

  @Test
  void keysAndCertificatesRotateWhileAnApplicationReads() throws Exception {
    var image = REGISTRY + "/allidb:" + TAG;
    try (var cluster =
        K3sCluster.start(Scenarios.NAMESPACE, REGISTRY + "/allidb-operator:" + TAG, image)) {
      Scenarios.rotation(image, true).run(cluster, Scenarios.NAMESPACE);
    }
  }
}
