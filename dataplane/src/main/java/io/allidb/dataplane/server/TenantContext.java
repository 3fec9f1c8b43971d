package io.allidb.dataplane.server;

import io.grpc.Context;
import io.grpc.Status;

/**
 * The authenticated tenant of the current call, set by {@link ApiKeyAuthInterceptor} in the gRPC
 * {@link Context}. Request fields never override it (TARGET.md decision 11).
 *
 * <p>Thread-safe: the context is per call and immutable.
 */
public final class TenantContext {
  /** The tenant the caller's API key maps to. */
  static final Context.Key<String> TENANT = Context.key("allidb-tenant");

  /** The id (never the secret) of the API key that authenticated the call, for logs. */
  static final Context.Key<String> KEY_ID = Context.key("allidb-api-key-id");

  private TenantContext() {}

  /**
   * The authenticated tenant.
   *
   * @throws io.grpc.StatusRuntimeException {@code UNAUTHENTICATED} when the call carries none (only
   *     reachable for methods the interceptor lets through without a key)
   */
  public static String require() {
    String tenant = TENANT.get();
    if (tenant == null || tenant.isEmpty()) {
      throw Status.UNAUTHENTICATED
          .withDescription("tenant required: tenant not found in context")
          .asRuntimeException();
    }
    return tenant;
  }
}
