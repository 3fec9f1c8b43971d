package io.allidb.dataplane.server;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.function.Predicate;

/**
 * Admits a call to the node admin service only for an admin principal; runs after {@link
 * ApiKeyAuthInterceptor} (which authenticated the key and put its tenant in the context), so an
 * unknown key is still UNAUTHENTICATED and a known data key is PERMISSION_DENIED.
 *
 * <p>Who is an admin is a {@link Predicate} over the authenticated tenant: the hook the security
 * work's key scopes (read / write / admin) and node identities (mTLS client certificates of the
 * internode CA) replace. Until then {@link #reservedTenant()} applies: a key whose tenant is
 * {@value #ADMIN_TENANT} in the API-key file is an admin key. Thread-safe.
 */
public final class AdminAuthInterceptor implements ServerInterceptor {
  /** The tenant name that marks an API key as an admin key until key scopes exist. */
  public static final String ADMIN_TENANT = "_admin";

  private final Predicate<String> isAdminTenant;

  public AdminAuthInterceptor(Predicate<String> isAdminTenant) {
    this.isAdminTenant = isAdminTenant;
  }

  /** Admin keys are those of the reserved tenant {@value #ADMIN_TENANT}. */
  public static AdminAuthInterceptor reservedTenant() {
    return new AdminAuthInterceptor(ADMIN_TENANT::equals);
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String tenant = TenantContext.TENANT.get();
    if (tenant == null || !isAdminTenant.test(tenant)) {
      call.close(
          Status.PERMISSION_DENIED.withDescription(
              "the node admin API needs an admin key (or a node identity); this key is not one"),
          new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return next.startCall(call, headers);
  }
}
