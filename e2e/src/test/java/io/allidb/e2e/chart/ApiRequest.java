package io.allidb.e2e.chart;

import java.net.URI;
import java.util.Arrays;

/**
 * A request to the Kubernetes API as the RBAC authorizer sees it: the verb, API group, resource
 * (with {@code /subresource}) and namespace derived from method and path, as in the API server's
 * RequestInfoResolver.
 *
 * @param namespace null for a request across all namespaces or on a cluster-scoped resource
 */
public record ApiRequest(String verb, String apiGroup, String resource, String namespace) {

  public static ApiRequest of(String method, String pathAndQuery) {
    var uri = URI.create(pathAndQuery);
    var parts = Arrays.stream(uri.getPath().split("/")).filter(p -> !p.isEmpty()).toList();
    int i;
    String group;
    if (parts.get(0).equals("api")) {
      group = "";
      i = 2; // api/v1/...
    } else if (parts.get(0).equals("apis")) {
      group = parts.get(1);
      i = 3; // apis/<group>/<version>/...
    } else {
      throw new IllegalArgumentException("not a resource request: " + pathAndQuery);
    }
    String namespace = null;
    if (parts.size() > i + 1 && parts.get(i).equals("namespaces")) {
      namespace = parts.get(i + 1);
      i += 2;
    }
    if (parts.size() <= i) {
      // GET /api/v1/namespaces/<ns> is a request on the namespace itself
      return new ApiRequest(verb(method, uri, namespace != null), "", "namespaces", null);
    }
    var resource = parts.get(i);
    var named = parts.size() > i + 1;
    if (parts.size() > i + 2) {
      resource = resource + "/" + parts.get(i + 2);
    }
    return new ApiRequest(verb(method, uri, named), group, resource, namespace);
  }

  private static String verb(String method, URI uri, boolean named) {
    var query = uri.getQuery() == null ? "" : uri.getQuery();
    return switch (method) {
      case "GET" -> named ? "get" : query.contains("watch=true") ? "watch" : "list";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> named ? "delete" : "deletecollection";
      default -> throw new IllegalArgumentException("method " + method);
    };
  }
}
