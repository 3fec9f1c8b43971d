package io.allidb.dataplane.server;

import io.allidb.api.proto.AlliDBGrpc;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.health.v1.HealthGrpc;
import java.util.Set;

/**
 * Authenticates every call by the {@code x-allidb-api-key} metadata entry and puts the key's tenant
 * into the call's {@link Context} ({@link TenantContext}).
 *
 * <p>Failures answer {@code UNAUTHENTICATED} with the original's messages ("missing API key",
 * "empty API key", "invalid API key"). Liveness probes must not need secrets, so the standard
 * {@code grpc.health.v1.Health} service and {@code allidb.AlliDB/HealthCheck} pass without a key
 * (the original required one, which broke its own {@code /health}). Keys are never logged.
 *
 * <p>Thread-safe: immutable.
 */
public final class ApiKeyAuthInterceptor implements ServerInterceptor {
  /** Metadata key of the API key, as in the original. */
  public static final Metadata.Key<String> API_KEY =
      Metadata.Key.of("x-allidb-api-key", Metadata.ASCII_STRING_MARSHALLER);

  private static final Set<String> OPEN_METHODS =
      Set.of(AlliDBGrpc.getHealthCheckMethod().getFullMethodName());

  private final ApiKeys keys;

  public ApiKeyAuthInterceptor(ApiKeys keys) {
    this.keys = keys;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    var method = call.getMethodDescriptor();
    if (OPEN_METHODS.contains(method.getFullMethodName())
        || HealthGrpc.SERVICE_NAME.equals(method.getServiceName())) {
      return next.startCall(call, headers);
    }
    String presented = headers.get(API_KEY);
    String failure = null;
    ApiKeys.Principal principal = null;
    if (presented == null) {
      failure = "missing API key";
    } else if (presented.isEmpty()) {
      failure = "empty API key";
    } else {
      principal = keys.authenticate(presented).orElse(null);
      if (principal == null) {
        failure = "invalid API key";
      }
    }
    if (failure != null) {
      call.close(Status.UNAUTHENTICATED.withDescription(failure), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    Context ctx =
        Context.current()
            .withValue(TenantContext.TENANT, principal.tenant())
            .withValue(TenantContext.KEY_ID, principal.keyId());
    return Contexts.interceptCall(ctx, call, headers, next);
  }
}
