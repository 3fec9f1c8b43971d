package io.allidb.e2e.scenario;

import io.allidb.operator.api.AlliCluster;
import io.grpc.Channel;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A Kubernetes cluster with the AlliDB operator installed through its chart, as a scenario sees it.
 * Implementations: {@code K3sCluster} (k3s in Testcontainers, the chart and the images: {@code
 * *E2E}) and {@code SimulatedClusterUnderTest} (the chart's rendered objects on the mock API
 * server, the operator's simulated StatefulSet controller and kubelet, real in-JVM nodes: {@code
 * *IT}, in {@code ./mvnw verify}).
 *
 * <p>Every method blocks until its effect is visible or its timeout passes (then it throws with the
 * state it saw).
 */
public interface ClusterUnderTest extends AutoCloseable {

  /**
   * The bound on each wait of a scenario step on this cluster: a guard against hangs, not a timing
   * check (k3s pulls and starts containers; the simulation starts nodes in this JVM).
   */
  Duration waitBound();

  /** Creates or replaces the AlliCluster (as {@code kubectl apply}). */
  void apply(AlliCluster cluster);

  /** The AlliCluster as the API server has it, or null. */
  AlliCluster get(String namespace, String name);

  /** Patches {@code spec.replicas}, as a user or a GitOps tool would. */
  void scale(String namespace, String name, int replicas);

  /** Sets an annotation on the AlliCluster ({@code kubectl annotate --overwrite}). */
  void annotate(String namespace, String name, String key, String value);

  /** Waits until the Ready condition is True with {@code replicas} ready nodes. */
  void awaitReady(String namespace, String name, int replicas, Duration timeout);

  /** The node pods of the cluster, by name. */
  List<String> pods(String namespace, String name);

  /**
   * Deletes one pod and returns once its StatefulSet has made a new one (the node restarts and
   * rejoins with its data).
   */
  void deletePod(String namespace, String pod);

  /** Deletes the AlliCluster and waits until it and its pods are gone. */
  void delete(String namespace, String name, Duration timeout);

  /**
   * The data of a Secret, decoded, as an application that mounts it reads its files; null when the
   * Secret does not exist.
   */
  Map<String, byte[]> secret(String namespace, String name);

  /**
   * A channel to the cluster's client Service (gRPC port), closed with the cluster. It carries no
   * credentials: the caller adds its API key to each call.
   *
   * @param trustBundle PEM CA certificates the server's certificate must chain to (TLS, the server
   *     checked against the Service's DNS name), or null for plaintext
   */
  Channel channel(String namespace, String name, byte[] trustBundle);

  /** Operator and node logs plus events, for a failed scenario's report. */
  String diagnostics(String namespace);

  @Override
  void close();
}
