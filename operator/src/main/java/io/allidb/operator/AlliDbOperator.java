package io.allidb.operator;

import io.allidb.operator.metrics.OperatorMetrics;
import io.allidb.operator.reconcile.AlliClusterReconciler;
import io.allidb.operator.reconcile.ResourceApplier;
import io.allidb.operator.ring.GrpcNodeAdmin;
import io.allidb.operator.ring.NodeAddressResolver;
import io.allidb.operator.ring.NodeAdmin;
import io.allidb.operator.ring.SecretAdminCredentials;
import io.allidb.operator.ring.ServiceDnsAddresses;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;

/**
 * Starts the AlliDB operator: one JOSDK {@link Operator} with the AlliCluster controller, optional
 * lease-based leader election, and a Prometheus endpoint. Tests build it with {@link #create} and
 * their own client, admin and clock.
 */
public final class AlliDbOperator {
  private AlliDbOperator() {}

  public static void main(String[] args) throws IOException {
    // LOG_LEVEL (set by the Helm chart) must reach slf4j-simple before the first logger exists
    var level = System.getenv("LOG_LEVEL");
    if (level != null && !level.isBlank()) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level.trim());
    }
    var config = OperatorConfig.fromEnvironment(System.getenv());
    var registry = PrometheusRegistry.defaultRegistry;
    var client = new KubernetesClientBuilder().build();
    var admin = new GrpcNodeAdmin(new SecretAdminCredentials(client));
    var operator =
        create(config, client, admin, new ServiceDnsAddresses(), registry, Clock.systemUTC(), true);
    if (config.metricsPort() > 0) {
      HTTPServer.builder().port(config.metricsPort()).registry(registry).buildAndStart();
    }
    operator.installShutdownHook(Duration.ofSeconds(30));
    operator.start();
  }

  /**
   * An operator, not started.
   *
   * @param client the Kubernetes client, or null for the default from the environment
   */
  public static Operator create(
      OperatorConfig config,
      KubernetesClient client,
      NodeAdmin admin,
      PrometheusRegistry registry,
      Clock clock) {
    return create(config, client, admin, registry, clock, true);
  }

  /**
   * An operator, not started.
   *
   * @param exitOnStopLeading end the JVM when this replica stops leading (JOSDK's default, right
   *     for a pod: it restarts and becomes a standby); tests that stop an operator with leader
   *     election inside a shared JVM pass false
   */
  public static Operator create(
      OperatorConfig config,
      KubernetesClient client,
      NodeAdmin admin,
      PrometheusRegistry registry,
      Clock clock,
      boolean exitOnStopLeading) {
    return create(
        config, client, admin, new ServiceDnsAddresses(), registry, clock, exitOnStopLeading);
  }

  /**
   * An operator, not started.
   *
   * @param addresses where each pod's admin API is reached (tests map pods to loopback ports)
   */
  public static Operator create(
      OperatorConfig config,
      KubernetesClient client,
      NodeAdmin admin,
      NodeAddressResolver addresses,
      PrometheusRegistry registry,
      Clock clock,
      boolean exitOnStopLeading) {
    var operator =
        new Operator(
            o -> {
              if (client != null) {
                o.withKubernetesClient(client).withCloseClientOnStop(false);
              }
              o.withUseSSAToPatchPrimaryResource(config.serverSideApply())
                  .withSSABasedCreateUpdateMatchForDependentResources(config.serverSideApply());
              if (config.leaseNamespace() != null) {
                o.withLeaderElectionConfiguration(
                    LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(
                            OperatorConfig.LEASE_NAME)
                        .withLeaseNamespace(config.leaseNamespace())
                        .withIdentity(config.identity())
                        .withExitOnStopLeading(exitOnStopLeading)
                        .build());
              }
            });
    var reconciler =
        new AlliClusterReconciler(
            admin,
            addresses,
            ResourceApplier.of(config.serverSideApply()),
            new OperatorMetrics(registry),
            clock);
    operator.register(
        reconciler,
        c -> {
          // generation-aware filtering would drop an annotation-only edit, so pausing or resuming
          // with allidb.io/paused would wait for the periodic reconcile; the filter below lets
          // those through and still ignores the operator's own status writes
          c.withGenerationAware(false).withOnUpdateFilter(AlliClusterReconciler::worthReconciling);
          if (!config.namespaces().isEmpty()) {
            c.settingNamespaces(config.namespaces());
          }
        });
    return operator;
  }
}
