package io.allidb.e2e.docs;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders the AlliCluster reference (docs/crd-reference.md) from the generated CRD, so the field
 * descriptions written on the Java types ({@code @JsonPropertyDescription}) are the one source.
 * Pure: CRD in, Markdown out.
 */
public final class CrdReference {
  private CrdReference() {}

  public static String render(CustomResourceDefinition crd) {
    var spec = crd.getSpec();
    var version = spec.getVersions().get(0);
    var schema = version.getSchema().getOpenAPIV3Schema();
    var out = new StringBuilder();
    out.append("# ")
        .append(spec.getNames().getKind())
        .append(" reference\n\n")
        .append("<!-- Generated from crds/")
        .append(spec.getNames().getPlural())
        .append('.')
        .append(spec.getGroup())
        .append("-v1.yml by CrdReferenceDocTest; do not edit.\n")
        .append(
            "     Regenerate: ./mvnw -o -q -pl api,operator,e2e -am test -Dtest=CrdReferenceDocTest")
        .append(" -Dsurefire.failIfNoSpecifiedTests=false -Dallidb.regenerate=true -->\n\n")
        .append("`apiVersion: ")
        .append(spec.getGroup())
        .append('/')
        .append(version.getName())
        .append("`, `kind: ")
        .append(spec.getNames().getKind())
        .append("`, ")
        .append(spec.getScope().toLowerCase(java.util.Locale.ROOT))
        .append(", short names ")
        .append(
            String.join(
                ", ", spec.getNames().getShortNames().stream().map(n -> "`" + n + "`").toList()))
        .append(
            ". Field descriptions come from the operator's Java types (`io.allidb.operator.api`).\n");
    for (var part : List.of("spec", "status")) {
      var props = schema.getProperties().get(part);
      out.append("\n## ").append(part).append("\n\n");
      if (props.getDescription() != null) {
        out.append(oneLine(props.getDescription())).append("\n\n");
      }
      out.append("| field | type | default | constraints | description |\n")
          .append("|---|---|---|---|---|\n");
      fields(out, part, props);
    }
    out.append("\n## Validation rules (CEL)\n\n")
        .append(
            "Checked by the API server on every write (no webhook); the operator re-checks them")
        .append(" and reports violations as `Ready=False`, reason `InvalidSpec`.\n\n")
        .append("| field | rule | message |\n|---|---|---|\n");
    allRules(out, "spec", schema.getProperties().get("spec"));
    return out.toString();
  }

  private static void fields(StringBuilder out, String path, JSONSchemaProps node) {
    var props =
        node.getProperties() == null
            ? Map.<String, JSONSchemaProps>of()
            : new TreeMap<>(node.getProperties());
    for (var e : props.entrySet()) {
      var p = e.getValue();
      var field = path + "." + e.getKey();
      var required = node.getRequired() != null && node.getRequired().contains(e.getKey());
      out.append("| `")
          .append(field)
          .append("`")
          .append(required ? " (required)" : "")
          .append(" | ")
          .append(type(p))
          .append(" | ")
          .append(p.getDefault() == null ? "" : "`" + p.getDefault() + "`")
          .append(" | ")
          .append(constraints(p))
          .append(" | ")
          .append(p.getDescription() == null ? "" : cell(p.getDescription()))
          .append(" |\n");
      if (isKubernetesType(p)) {
        continue; // ResourceRequirements, Affinity, ...: documented by Kubernetes
      }
      if (p.getProperties() != null && !p.getProperties().isEmpty()) {
        fields(out, field, p);
      } else if (p.getItems() != null
          && p.getItems().getSchema() != null
          && p.getItems().getSchema().getProperties() != null
          && !p.getItems().getSchema().getProperties().isEmpty()) {
        fields(out, field + "[]", p.getItems().getSchema());
      }
    }
  }

  /**
   * Kubernetes types embedded in the spec (resources, affinity, tolerations, conditions) carry no
   * field descriptions in the generated schema; they are documented by Kubernetes, not expanded.
   */
  private static boolean isKubernetesType(JSONSchemaProps p) {
    var children =
        p.getProperties() != null && !p.getProperties().isEmpty()
            ? p.getProperties()
            : p.getItems() != null && p.getItems().getSchema() != null
                ? p.getItems().getSchema().getProperties()
                : null;
    return children != null
        && !children.isEmpty()
        && children.values().stream().allMatch(c -> c.getDescription() == null);
  }

  private static String type(JSONSchemaProps p) {
    if ("array".equals(p.getType()) && p.getItems() != null && p.getItems().getSchema() != null) {
      return "[]" + p.getItems().getSchema().getType();
    }
    if ("object".equals(p.getType())
        && p.getAdditionalProperties() != null
        && p.getAdditionalProperties().getSchema() != null) {
      return "map[string]" + p.getAdditionalProperties().getSchema().getType();
    }
    return p.getType() == null ? "" : p.getType();
  }

  private static String constraints(JSONSchemaProps p) {
    var c = new ArrayList<String>();
    if (p.getMinimum() != null) {
      c.add(">= " + num(p.getMinimum()));
    }
    if (p.getMaximum() != null) {
      c.add("<= " + num(p.getMaximum()));
    }
    if (p.getMaxItems() != null) {
      c.add("at most " + p.getMaxItems() + " items");
    }
    if (p.getMaxLength() != null) {
      c.add("at most " + p.getMaxLength() + " chars");
    }
    if (p.getPattern() != null) {
      c.add("pattern `" + p.getPattern().replace("|", "\\|") + "`");
    }
    if (p.getEnum() != null && !p.getEnum().isEmpty()) {
      c.add(
          "one of "
              + String.join(", ", p.getEnum().stream().map(n -> "`" + n.asText() + "`").toList()));
    }
    if (p.getXKubernetesValidations() != null && !p.getXKubernetesValidations().isEmpty()) {
      c.add("CEL rules below");
    }
    return String.join("; ", c);
  }

  private static void allRules(StringBuilder out, String path, JSONSchemaProps node) {
    if (node.getXKubernetesValidations() != null) {
      for (var r : node.getXKubernetesValidations()) {
        out.append("| `")
            .append(path)
            .append("` | `")
            .append(cell(r.getRule()))
            .append("` | ")
            .append(cell(r.getMessage()))
            .append(" |\n");
      }
    }
    if (node.getProperties() != null) {
      for (var e : new TreeMap<>(node.getProperties()).entrySet()) {
        allRules(out, path + "." + e.getKey(), e.getValue());
      }
    }
    if (node.getItems() != null && node.getItems().getSchema() != null) {
      allRules(out, path + "[]", node.getItems().getSchema());
    }
  }

  private static String num(double d) {
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }

  private static String oneLine(String s) {
    return s.replaceAll("\\s+", " ").trim();
  }

  private static String cell(String s) {
    return oneLine(s).replace("|", "\\|");
  }
}
