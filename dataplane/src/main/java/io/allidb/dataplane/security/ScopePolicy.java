package io.allidb.dataplane.security;

import io.allidb.api.proto.AlliDBGrpc;
import io.grpc.health.v1.HealthGrpc;
import java.util.Map;
import java.util.Set;

/**
 * Which scope each public RPC needs. The REST mirror calls the same RPCs, so its routes inherit the
 * table ({@code docs/security.md} lists both):
 *
 * <table>
 *   <caption>scopes</caption>
 *   <tr><th>RPC</th><th>needs</th></tr>
 *   <tr><td>GetEntity, Query, RangeScan, server reflection</td><td>read</td></tr>
 *   <tr><td>PutEntity, BatchPutEntities, DeleteEntity</td><td>write</td></tr>
 *   <tr><td>HealthCheck, grpc.health.v1.Health</td><td>no key</td></tr>
 *   <tr><td>ReplicaRead, ReplicaWrite</td><td>never an API key (node identity only)</td></tr>
 *   <tr><td>anything else, e.g. the node admin API ({@code allidb.admin.v1.NodeAdmin})</td><td>admin</td></tr>
 * </table>
 *
 * <p>Unknown methods default to admin, so a new RPC is closed until someone decides its scope.
 * Stateless and thread-safe.
 */
public final class ScopePolicy {
  private static final Map<String, Scope> SCOPES =
      Map.of(
          AlliDBGrpc.getGetEntityMethod().getFullMethodName(), Scope.READ,
          AlliDBGrpc.getQueryMethod().getFullMethodName(), Scope.READ,
          AlliDBGrpc.getRangeScanMethod().getFullMethodName(), Scope.READ,
          AlliDBGrpc.getPutEntityMethod().getFullMethodName(), Scope.WRITE,
          AlliDBGrpc.getBatchPutEntitiesMethod().getFullMethodName(), Scope.WRITE,
          AlliDBGrpc.getDeleteEntityMethod().getFullMethodName(), Scope.WRITE);

  private static final Set<String> OPEN =
      Set.of(AlliDBGrpc.getHealthCheckMethod().getFullMethodName());

  private static final Set<String> NODE_ONLY =
      Set.of(
          AlliDBGrpc.getReplicaReadMethod().getFullMethodName(),
          AlliDBGrpc.getReplicaWriteMethod().getFullMethodName());

  private ScopePolicy() {}

  /** Whether probes may call the method without a key (health checks). */
  public static boolean open(String fullMethodName, String serviceName) {
    return OPEN.contains(fullMethodName) || HealthGrpc.SERVICE_NAME.equals(serviceName);
  }

  /** Whether the method answers only to a node identity, never to an API key. */
  public static boolean nodeOnly(String fullMethodName) {
    return NODE_ONLY.contains(fullMethodName);
  }

  /** The scope a key needs to call the method. */
  public static Scope required(String fullMethodName, String serviceName) {
    Scope s = SCOPES.get(fullMethodName);
    if (s != null) {
      return s;
    }
    if (serviceName != null && serviceName.startsWith("grpc.reflection.")) {
      return Scope.READ;
    }
    return Scope.ADMIN;
  }
}
