package io.allidb.e2e.chart;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRuleBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectRulesReviewStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code helm install} and the kubelet do with the chart on the mock API server: the chart's
 * CRDs and rendered objects created, the operator container's environment resolved as the kubelet
 * resolves it, and SelfSubjectRulesReviews answered from the rendered RBAC (the mock has no
 * authorizer; JOSDK's leader election asks before it starts).
 */
public final class ChartInstall {
  private ChartInstall() {}

  /** Creates {@code namespaces}, then the chart's CRDs ({@code crds/}), then {@code objects}. */
  public static void install(
      KubernetesClient client, List<HasMetadata> objects, List<String> namespaces)
      throws IOException {
    for (var ns : namespaces) {
      client
          .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
          .create();
    }
    try (var crds = Files.list(HelmChart.CHART.resolve("crds"))) {
      for (var file : crds.toList()) {
        client
            .resource(
                Serialization.unmarshal(Files.readString(file), CustomResourceDefinition.class))
            .create();
      }
    }
    objects.forEach(o -> client.resource(o).create());
  }

  /** The operator container's environment as the kubelet resolves it for pod {@code podName}. */
  public static Map<String, String> operatorEnvironment(Deployment deployment, String podName) {
    var env = new HashMap<String, String>();
    for (EnvVar e : deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
      if (e.getValueFrom() == null) {
        env.put(e.getName(), e.getValue());
        continue;
      }
      var field = e.getValueFrom().getFieldRef().getFieldPath();
      env.put(
          e.getName(),
          switch (field) {
            case "metadata.name" -> podName;
            case "metadata.namespace" -> deployment.getMetadata().getNamespace();
            default -> throw new AssertionError("unexpected fieldRef " + field);
          });
    }
    return env;
  }

  /** The Deployment's ServiceAccount, whose rules {@link RbacRules#of} collects. */
  public static String serviceAccountOf(Deployment deployment) {
    return deployment.getSpec().getTemplate().getSpec().getServiceAccountName();
  }

  /**
   * Answers SelfSubjectRulesReviews as the API server would, with the rules {@code rbac} grants in
   * the review's namespace.
   */
  public static void answerRulesReviewsFrom(KubernetesMockServer server, RbacRules rbac) {
    server
        .expect()
        .post()
        .withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
        .andReply(
            201,
            request -> {
              var review =
                  Serialization.unmarshal(
                      request.getBody().readUtf8(), SelfSubjectRulesReview.class);
              var ns = review.getSpec().getNamespace();
              var rules =
                  rbac.grants().stream()
                      .filter(g -> g.namespace() == null || g.namespace().equals(ns))
                      .map(
                          g ->
                              new ResourceRuleBuilder()
                                  .withApiGroups(g.apiGroup())
                                  .withResources(g.resource())
                                  .withVerbs(g.verb())
                                  .build())
                      .toList();
              review.setStatus(
                  new SubjectRulesReviewStatusBuilder()
                      .withResourceRules(rules)
                      .withIncomplete(false)
                      .build());
              return review;
            })
        .always();
  }
}
