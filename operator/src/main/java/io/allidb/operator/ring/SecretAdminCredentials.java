package io.allidb.operator.ring;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Reads the operator-admin Secret of a cluster from the API server on every call: Secrets are
 * small, calls are per reconcile, and reading fresh means a rotated key is used at the next
 * reconcile without a watch. The operator's RBAC grants {@code get} on Secrets in watched
 * namespaces.
 */
public final class SecretAdminCredentials implements AdminCredentials {
  public static final String API_KEY = "api-key";
  public static final String CA = "ca.crt";

  private final KubernetesClient client;

  public SecretAdminCredentials(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public Credential read(AdminAccess access) {
    var where = access.namespace() + "/" + access.secretName();
    io.fabric8.kubernetes.api.model.Secret secret;
    try {
      secret = client.secrets().inNamespace(access.namespace()).withName(access.secretName()).get();
    } catch (KubernetesClientException e) {
      throw new NodeAdminException("cannot read admin Secret " + where + ": " + e.getMessage(), e);
    }
    if (secret == null) {
      throw new NodeAdminException(
          "admin Secret " + where + " does not exist (it holds the operator's admin credential)");
    }
    var data = secret.getData() == null ? java.util.Map.<String, String>of() : secret.getData();
    String apiKey = null;
    byte[] ca = null;
    if (access.auth()) {
      var encoded = data.get(API_KEY);
      if (encoded == null) {
        throw new NodeAdminException("admin Secret " + where + " has no key '" + API_KEY + "'");
      }
      apiKey = new String(Base64.getDecoder().decode(encoded), StandardCharsets.US_ASCII).strip();
    }
    if (access.tls()) {
      var encoded = data.get(CA);
      if (encoded == null) {
        throw new NodeAdminException("admin Secret " + where + " has no key '" + CA + "'");
      }
      ca = Base64.getDecoder().decode(encoded);
    }
    return new Credential(apiKey, ca);
  }
}
