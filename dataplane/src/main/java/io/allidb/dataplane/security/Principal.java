package io.allidb.dataplane.security;

import java.util.Set;

/**
 * Who an API key authenticates: the key id (for logs), the tenant and the scopes. Holds no secret.
 */
public record Principal(String keyId, String tenant, Set<Scope> scopes) {
  public Principal {
    scopes = Set.copyOf(scopes);
  }

  public boolean has(Scope scope) {
    return scopes.contains(scope);
  }
}
