package io.allidb.e2e.scenario;

import io.allidb.api.proto.AlliDBGrpc;
import io.allidb.operator.api.AlliCluster;
import java.time.Duration;
import java.util.List;

/**
 * A Kubernetes cluster with the AlliDB operator installed, as a scenario sees it. Implementations:
 * {@code K3sCluster} (k3s in Testcontainers, the chart and the images: {@code *E2E}); the simulated
 * cluster (mock API server, fake StatefulSet controller, in-JVM nodes) implements it once the node
 * admin API binding exists (issue 9 follow-up).
 *
 * <p>Every method blocks until its effect is visible or its timeout passes (then it throws with the
 * state it saw).
 */
public interface ClusterUnderTest extends AutoCloseable {

  /** Creates or replaces the AlliCluster (as {@code kubectl apply}). */
  void apply(AlliCluster cluster);

  /** The AlliCluster as the API server has it, or null. */
  AlliCluster get(String namespace, String name);

  /** Patches {@code spec.replicas}, as a user or a GitOps tool would. */
  void scale(String namespace, String name, int replicas);

  /** Waits until the Ready condition is True with {@code replicas} ready nodes. */
  void awaitReady(String namespace, String name, int replicas, Duration timeout);

  /** The node pods of the cluster, by name. */
  List<String> pods(String namespace, String name);

  /** Deletes one pod (its StatefulSet brings it back; the node rejoins with its data). */
  void deletePod(String namespace, String pod);

  /** Deletes the AlliCluster and waits until it and its pods are gone. */
  void delete(String namespace, String name, Duration timeout);

  /** A blocking stub on the cluster's client Service (closed with the cluster). */
  AlliDBGrpc.AlliDBBlockingStub client(String namespace, String name);

  /** Operator and node logs plus events, for a failed scenario's report. */
  String diagnostics(String namespace);

  @Override
  void close();
}
