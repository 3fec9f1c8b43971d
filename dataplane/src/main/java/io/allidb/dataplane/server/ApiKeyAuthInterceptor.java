package io.allidb.dataplane.server;

import io.allidb.dataplane.security.KeyRejectedException;
import io.allidb.dataplane.security.KeySet;
import io.allidb.dataplane.security.Principal;
import io.allidb.dataplane.security.Scope;
import io.allidb.dataplane.security.ScopePolicy;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.time.Clock;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates every call by the {@code x-allidb-api-key} metadata entry against the node's
 * current {@link KeySet}, checks the RPC's scope ({@link ScopePolicy}) and puts the key's tenant
 * into the call's {@link Context} ({@link TenantContext}).
 *
 * <p>Failures: {@code UNAUTHENTICATED} "missing API key", "empty API key", "malformed API key:
 * expected &lt;key-id&gt;.&lt;secret&gt;", "invalid API key", "API key &lt;id&gt; expired at
 * &lt;instant&gt;", "API key &lt;id&gt; is not valid before &lt;instant&gt;"; {@code
 * PERMISSION_DENIED} "API key &lt;id&gt; lacks scope &lt;scope&gt; for &lt;RPC&gt;" and, for the
 * replica RPCs, a message saying they are for node identities. Health checks pass without a key so
 * probes need no secret. The presented key is never logged and never echoed; only the key id of a
 * known key appears in messages.
 *
 * <p>Thread-safe: the key set is read once per call from the supplier (a reload swaps it).
 */
public final class ApiKeyAuthInterceptor implements ServerInterceptor {
  private static final Logger logger = LoggerFactory.getLogger(ApiKeyAuthInterceptor.class);

  /** Metadata key of the API key, as in the original. */
  public static final Metadata.Key<String> API_KEY =
      Metadata.Key.of("x-allidb-api-key", Metadata.ASCII_STRING_MARSHALLER);

  private final Supplier<KeySet> keys;
  private final Clock clock;

  public ApiKeyAuthInterceptor(Supplier<KeySet> keys, Clock clock) {
    this.keys = Objects.requireNonNull(keys, "keys");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    var method = call.getMethodDescriptor();
    String full = method.getFullMethodName();
    if (ScopePolicy.open(full, method.getServiceName())) {
      return next.startCall(call, headers);
    }
    String presented = headers.get(API_KEY);
    if (presented == null) {
      return refuse(call, Status.UNAUTHENTICATED.withDescription("missing API key"));
    }
    if (presented.isEmpty()) {
      return refuse(call, Status.UNAUTHENTICATED.withDescription("empty API key"));
    }
    Principal principal;
    try {
      principal = keys.get().authenticate(presented, clock.instant());
    } catch (KeyRejectedException e) {
      logger.debug("{} refused: {}", full, e.getMessage());
      return refuse(call, Status.UNAUTHENTICATED.withDescription(e.getMessage()));
    }
    if (ScopePolicy.nodeOnly(full)) {
      // no key opens these, however privileged
      return refuse(
          call,
          Status.PERMISSION_DENIED.withDescription(
              method.getBareMethodName()
                  + " is reserved for node-to-node traffic authenticated by a node identity"
                  + " (mTLS); API keys cannot call it (replicas use the internode port)"));
    }
    Scope needed = ScopePolicy.required(full, method.getServiceName());
    if (!principal.has(needed)) {
      logger.debug("{} refused: key {} lacks scope {}", full, principal.keyId(), needed.label());
      return refuse(
          call,
          Status.PERMISSION_DENIED.withDescription(
              "API key "
                  + principal.keyId()
                  + " lacks scope "
                  + needed.label()
                  + " for "
                  + method.getBareMethodName()));
    }
    Context ctx =
        Context.current()
            .withValue(TenantContext.TENANT, principal.tenant())
            .withValue(TenantContext.KEY_ID, principal.keyId());
    return Contexts.interceptCall(ctx, call, headers, next);
  }

  private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status) {
    call.close(status, new Metadata());
    return new ServerCall.Listener<>() {};
  }
}
