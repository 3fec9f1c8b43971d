package io.allidb.operator.sim;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the kubelet would hand the node container of one StatefulSet pod: the container's args and
 * environment as the operator rendered them, with field references ({@code metadata.name}, ...) and
 * {@code $(VAR)} references resolved as Kubernetes resolves them, and paths under a volume mount
 * moved to where the simulation mounted it ({@link PodVolumes#relocate}).
 */
public record PodLaunch(List<String> args, Map<String, String> env) {
  private static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

  /**
   * @param relocate rewrites container paths to the simulated mounts
   */
  public static PodLaunch of(
      StatefulSet sts, String pod, String namespace, String podIp, UnaryOperator<String> relocate) {
    var container = sts.getSpec().getTemplate().getSpec().getContainers().get(0);
    var env = new LinkedHashMap<String, String>();
    for (EnvVar var : container.getEnv()) {
      String value;
      if (var.getValueFrom() != null && var.getValueFrom().getFieldRef() != null) {
        value =
            switch (var.getValueFrom().getFieldRef().getFieldPath()) {
              case "metadata.name" -> pod;
              case "metadata.namespace" -> namespace;
              case "status.podIP" -> podIp;
              default ->
                  throw new IllegalArgumentException(
                      "fieldRef " + var.getValueFrom().getFieldRef().getFieldPath());
            };
      } else {
        value = expand(var.getValue(), env);
      }
      env.put(var.getName(), value);
    }
    env.replaceAll((name, value) -> relocate.apply(value));
    var args = new ArrayList<String>();
    for (String arg : container.getArgs()) {
      args.add(relocate.apply(expand(arg, env)));
    }
    return new PodLaunch(List.copyOf(args), Map.copyOf(env));
  }

  /** Kubernetes' $(VAR) expansion: defined variables are replaced, others left as written. */
  static String expand(String value, Map<String, String> env) {
    Matcher m = REFERENCE.matcher(value);
    var out = new StringBuilder();
    while (m.find()) {
      String v = env.get(m.group(1));
      m.appendReplacement(out, Matcher.quoteReplacement(v != null ? v : m.group()));
    }
    m.appendTail(out);
    return out.toString();
  }
}
