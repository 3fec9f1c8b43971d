package io.allidb.e2e.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.allidb.api.proto.ConsistencyLevel;
import io.allidb.api.proto.Entity;
import io.allidb.api.proto.GetEntityRequest;
import io.allidb.api.proto.PutEntityRequest;
import io.allidb.api.proto.QueryRequest;
import io.allidb.api.proto.VectorEmbedding;
import io.allidb.operator.api.AlliCluster;
import io.allidb.operator.api.AlliClusterConditions;
import io.allidb.operator.api.AlliClusterSpec;
import io.allidb.operator.api.CertificatesStatus;
import io.allidb.operator.api.Day2Annotations;
import io.allidb.operator.api.StorageSpec;
import io.allidb.operator.api.TenantSpec;
import io.allidb.operator.keys.ApiKeyStep;
import io.allidb.operator.model.Names;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/** The scenarios, written once for every {@link ClusterUnderTest}. */
public final class Scenarios {
  public static final String NAMESPACE = "db";
  public static final String NAME = "demo";

  /** The tenant the scenarios' application belongs to; its key comes from its Secret. */
  public static final String TENANT = "acme";

  static final int ROWS = 200;

  private Scenarios() {}

  /**
   * A cluster's life, seen by an application of tenant {@link #TENANT} that reads its API key from
   * the tenant Secret.
   *
   * <ol>
   *   <li>Apply a 3-node AlliCluster (RF 3, auth on) -> Ready with 3 nodes.
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
                  c.apply(cluster(image, 3, false));
                  c.awaitReady(NAMESPACE, NAME, 3, c.waitBound());
                }),
            new Scenario.Step(
                "write 200 entities at QUORUM with the tenant's key and query them",
                c -> {
                  var app = application(c, false);
                  writeAll(app);
                  var found =
                      app.stub()
                          .query(
                              QueryRequest.newBuilder()
                                  .addAllQueryVector(vector(7))
                                  .setK(5)
                                  .setConsistencyLevel(ConsistencyLevel.CONSISTENCY_QUORUM)
                                  .build());
                  assertThat(found.getResultsList()).isNotEmpty();
                  readsAll(app);
                }),
            new Scenario.Step(
                "scale 3 -> 5",
                c -> {
                  c.scale(NAMESPACE, NAME, 5);
                  c.awaitReady(NAMESPACE, NAME, 5, c.waitBound());
                  readsAll(application(c, false));
                }),
            new Scenario.Step(
                "scale 5 -> 3",
                c -> {
                  c.scale(NAMESPACE, NAME, 3);
                  c.awaitReady(NAMESPACE, NAME, 3, c.waitBound());
                  assertThat(c.pods(NAMESPACE, NAME)).hasSize(3);
                  readsAll(application(c, false));
                }),
            new Scenario.Step(
                "delete a pod; it rejoins",
                c -> {
                  c.deletePod(NAMESPACE, c.pods(NAMESPACE, NAME).get(0));
                  c.awaitReady(NAMESPACE, NAME, 3, c.waitBound());
                  readsAll(application(c, false));
                }),
            deleteTheCluster()));
  }

  /**
   * Rotation as a user runs it, with an application reading throughout.
   *
   * <ol>
   *   <li>Apply a 3-node AlliCluster (auth on; TLS when {@code tls}) -> Ready; write 200 entities.
   *   <li>An application starts reading at QUORUM in the background, re-reading its tenant Secret
   *       (and trust bundle) at every call.
   *   <li>{@code allidb.io/rotate-api-keys} -> the tenant Secret gets a new key once every node
   *       knows it; the new key reads everything, the old one still works during the overlap.
   *   <li>With TLS, {@code allidb.io/rotate-ca} -> both CAs go TrustNew -> SignWithNew -> Steady
   *       and the client trust bundle holds only the new CA; everything readable with it.
   *   <li>Every background read succeeded; delete the cluster.
   * </ol>
   */
  public static Scenario rotation(String image, boolean tls) {
    var reader = new BackgroundReader();
    var steps =
        new java.util.ArrayList<>(
            List.of(
                new Scenario.Step(
                    "apply a 3-node cluster" + (tls ? " with TLS" : "") + ", write 200 entities",
                    c -> {
                      c.apply(cluster(image, 3, tls));
                      c.awaitReady(NAMESPACE, NAME, 3, c.waitBound());
                      writeAll(application(c, tls));
                    }),
                new Scenario.Step(
                    "an application reads in the background",
                    c -> reader.start(application(c, tls))),
                new Scenario.Step(
                    "rotate the API keys (" + Day2Annotations.ROTATE_API_KEYS + ")",
                    c -> {
                      var app = application(c, tls);
                      var before = app.currentKey(c.waitBound());
                      c.annotate(NAMESPACE, NAME, Day2Annotations.ROTATE_API_KEYS, "e2e-1");
                      await("tenant Secret holds a new key and ApiKeysReady")
                          .atMost(c.waitBound())
                          .pollInterval(Duration.ofSeconds(1))
                          .untilAsserted(
                              () -> {
                                var status = c.get(NAMESPACE, NAME).getStatus();
                                assertThat(status.getApiKeys().getRotation()).isEqualTo("e2e-1");
                                assertThat(condition(c, AlliClusterConditions.API_KEYS_READY))
                                    .isEqualTo("True");
                                assertThat(app.currentKey(c.waitBound())).isNotEqualTo(before);
                              });
                      readsAll(app);
                      // the key the application held before still works during the overlap
                      assertThat(app.stub(before).getEntity(get("e-0")).getEntity().getEntityId())
                          .isEqualTo("e-0");
                      assertThat(reader.reads()).as("background reads so far").isPositive();
                    })));
    if (tls) {
      steps.add(
          new Scenario.Step(
              "replace both CAs (" + Day2Annotations.ROTATE_CA + ")",
              c -> {
                var app = application(c, true);
                var before =
                    c.secret(NAMESPACE, Names.clientTlsSecret(cluster(image, 3, true)))
                        .get(TenantApplication.BUNDLE);
                c.annotate(NAMESPACE, NAME, Day2Annotations.ROTATE_CA, "e2e-1");
                await("both CAs Steady after rotation e2e-1")
                    .atMost(c.waitBound())
                    .pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(
                        () -> {
                          var certs = c.get(NAMESPACE, NAME).getStatus().getCertificates();
                          assertThat(certs.getAuthorities())
                              .hasSize(2)
                              .allSatisfy(
                                  (CertificatesStatus.AuthorityStatus a) -> {
                                    assertThat(a.getRotation()).isEqualTo("e2e-1");
                                    assertThat(a.getPhase()).isEqualTo("Steady");
                                  });
                          assertThat(condition(c, AlliClusterConditions.CERTIFICATES_VALID))
                              .isEqualTo("True");
                        });
                var after =
                    c.secret(NAMESPACE, Names.clientTlsSecret(cluster(image, 3, true)))
                        .get(TenantApplication.BUNDLE);
                assertThat(Arrays.equals(before, after)).as("the trust bundle changed").isFalse();
                readsAll(app);
              }));
    }
    steps.add(
        new Scenario.Step(
            "every background read succeeded",
            c -> {
              reader.stop();
              assertThat(reader.failure()).as("first failed background read").isNull();
              assertThat(reader.reads()).isPositive();
              System.out.println("[rotation] " + reader.reads() + " background reads, none failed");
            }));
    steps.add(deleteTheCluster());
    return new Scenario("rotation" + (tls ? " (TLS)" : ""), List.copyOf(steps));
  }

  private static Scenario.Step deleteTheCluster() {
    return new Scenario.Step(
        "delete the cluster",
        c -> {
          c.delete(NAMESPACE, NAME, c.waitBound());
          assertThat(c.get(NAMESPACE, NAME)).isNull();
          assertThat(c.pods(NAMESPACE, NAME)).isEmpty();
        });
  }

  /**
   * The tenant's application: key from {@code <cluster>-tenant-acme}; on a TLS cluster the trust
   * bundle from the client TLS Secret's {@code ca.crt} (the operator publishes the client CA bundle
   * nowhere else yet).
   */
  static TenantApplication application(ClusterUnderTest c, boolean tls) {
    var cluster = cluster(null, 0, tls);
    return new TenantApplication(
        c,
        NAMESPACE,
        NAME,
        ApiKeyStep.tenantSecret(cluster, cluster.getSpec().getAuth().getTenants().get(0)),
        tls ? Names.clientTlsSecret(cluster) : null);
  }

  static String condition(ClusterUnderTest c, String type) {
    return c.get(NAMESPACE, NAME).getStatus().getConditions().stream()
        .filter(k -> type.equals(k.getType()))
        .map(k -> k.getStatus())
        .findFirst()
        .orElse(null);
  }

  static void writeAll(TenantApplication app) {
    for (int i = 0; i < ROWS; i++) {
      app.stub()
          .putEntity(
              PutEntityRequest.newBuilder()
                  .setEntity(entity(i))
                  .setConsistencyLevel(ConsistencyLevel.CONSISTENCY_QUORUM)
                  .build());
    }
  }

  static void readsAll(TenantApplication app) {
    for (int i = 0; i < ROWS; i++) {
      var got = app.stub().getEntity(get("e-" + i));
      assertThat(got.getEntity().getEntityId()).isEqualTo("e-" + i);
    }
  }

  static GetEntityRequest get(String id) {
    return GetEntityRequest.newBuilder()
        .setEntityId(id)
        .setConsistencyLevel(ConsistencyLevel.CONSISTENCY_QUORUM)
        .build();
  }

  /**
   * The cluster the scenarios run: flat, RF 3, API keys on with tenant {@link #TENANT}, TLS with
   * the operator's CAs when {@code tls}.
   */
  public static AlliCluster cluster(String image, int replicas, boolean tls) {
    var cluster = new AlliCluster();
    cluster.setMetadata(new ObjectMetaBuilder().withName(NAME).withNamespace(NAMESPACE).build());
    var spec = new AlliClusterSpec();
    spec.setImage(image);
    spec.setReplicas(replicas);
    spec.setReplicationFactor(3);
    spec.setStorage(new StorageSpec("1Gi", null));
    spec.getAuth().setEnabled(true);
    spec.getAuth().setTenants(List.of(new TenantSpec(TENANT)));
    spec.getTls().setEnabled(tls);
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
